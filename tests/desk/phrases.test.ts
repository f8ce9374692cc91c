import { asksForPerson } from '../../src/desk/phrases';

describe('asksForPerson', () => {
  it.each([
    'I need a human',
    '<@UBOT> talk to a person please!',
    'Can someone from IT help?',
    'could somebody from the service desk help me with this',
    'Escalate.',
    'This is useless, I want a REAL PERSON',
  ])('recognises %p', (text) => {
    expect(asksForPerson(text)).toBe(true);
  });

  it.each([
    'Where is the escalation policy for outages?',
    'My VPN drops every hour',
    'Is there a human resources portal?',
    'personal hotspot is not working',
  ])('leaves %p to the model', (text) => {
    expect(asksForPerson(text)).toBe(false);
  });

  it("adds the context's own phrases, in any language", () => {
    expect(asksForPerson('Je veux parler à quelqu’un', ["je veux parler à quelqu'un"])).toBe(true);
    expect(asksForPerson('Je veux parler à quelqu’un')).toBe(false);
  });
});
