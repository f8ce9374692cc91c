import { type Harness, startHarness } from './harness';
import { answerIn } from './replies';

describe('prompt cache key and hashed asker, as the model server sees them', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('sends one stable prompt_cache_key per thread and a safety_identifier that is not the Slack id', async () => {
    h = await startHarness();
    const first = await h.slack.userMessage({ channel: 'D0PC1', user: 'U0CACHE', text: 'VPN?' });
    await answerIn(h.slack, 'D0PC1', first.ts);
    await h.slack.userMessage({ channel: 'D0PC1', user: 'U0CACHE', text: 'Still down', threadTs: first.ts });
    await answerIn(h.slack, 'D0PC1', first.ts, 2);
    const other = await h.slack.userMessage({ channel: 'D0PC2', user: 'U0CACHE', text: 'Printer?' });
    await answerIn(h.slack, 'D0PC2', other.ts);

    const [one, two, three] = h.openai.requests.map((req) => req.body);
    expect(one.prompt_cache_key).toMatch(/^[0-9a-f]{32}$/);
    expect(two.prompt_cache_key).toBe(one.prompt_cache_key);
    expect(three.prompt_cache_key).not.toBe(one.prompt_cache_key);
    expect(one.safety_identifier).toMatch(/^[0-9a-f]{32}$/);
    expect([two.safety_identifier, three.safety_identifier]).toEqual([one.safety_identifier, one.safety_identifier]);
    expect(JSON.stringify([one.safety_identifier, one.prompt_cache_key])).not.toContain('U0CACHE');
  });

  it('leaves both out of Chat Completions sent to a compatible server, which may refuse unknown fields', async () => {
    h = await startHarness({ OPENAI_API: 'chat' });
    const { ts } = await h.slack.userMessage({ channel: 'D0PC3', user: 'U0CACHE', text: 'VPN?' });
    await answerIn(h.slack, 'D0PC3', ts);
    const [body] = h.openai.requests.map((req) => req.body);
    expect(body).not.toHaveProperty('prompt_cache_key');
    expect(body).not.toHaveProperty('user');
  });
});
