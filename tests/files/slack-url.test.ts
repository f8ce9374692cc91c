import { mayCarryBotToken } from '../../src/files/slack-url';

const API = 'https://slack.com/api/';

describe('mayCarryBotToken', () => {
  it.each([
    'https://files.slack.com/files-pri/T1-F1/download/a.png',
    'https://slack.com/x',
    'https://files.slack-gov.com/files-pri/T1-F1/a.png',
    'https://FILES.SLACK.COM/a',
  ])('lets the token go to Slack: %s', (url) => {
    expect(mayCarryBotToken(url, API)).toBe(true);
  });

  it.each([
    'http://files.slack.com/a', // not HTTPS
    'https://files.slack.com:8443/a', // another port
    'https://evilslack.com/a',
    'https://slack.com.evil.example/a',
    'https://files.slack.com@evil.example/a',
    'https://user:pw@files.slack.com/a',
    'https://example.com/files.slack.com/a',
    'file:///etc/passwd',
    'not a url',
    '',
  ])('keeps the token from anything else: %s', (url) => {
    expect(mayCarryBotToken(url, API)).toBe(false);
  });

  it('allows exactly the origin of SLACK_API_URL (scheme, host and port), for tests and GovSlack', () => {
    const local = 'http://127.0.0.1:9999/api/';
    expect(mayCarryBotToken('http://127.0.0.1:9999/files-pri/T1-F1/a.png', local)).toBe(true);
    expect(mayCarryBotToken('http://127.0.0.1:9998/files-pri/T1-F1/a.png', local)).toBe(false);
    expect(mayCarryBotToken('https://127.0.0.1:9999/a', local)).toBe(false);
    expect(mayCarryBotToken('http://localhost:9999/a', local)).toBe(false);
  });
});
