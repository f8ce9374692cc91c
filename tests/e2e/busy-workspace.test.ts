import { lastUserText } from '../helpers/fake-openai';
import { wholeAnswer } from '../helpers/fault-tally';
import { type Harness, startHarness } from './harness';

/**
 * One workspace under a burst, with Slack's tiers enforced by the fake: every answer arrives whole, with no 429,
 * because the bot answers with fewer writes as the stream and update tiers fill instead of queueing for them.
 */
const answerFor = (tag: string) =>
  `Answer for ${tag}: ${Array.from({ length: 8 }, (_, i) => `step ${i + 1} is to check the dock.`).join(' ')} Done.`;

describe('a busy workspace', () => {
  jest.setTimeout(60_000);
  let h: Harness;

  afterEach(async () => {
    await h?.close();
  });

  it('answers a burst of 120 questions, then 40 more, whole, with no 429 and within the tiers', async () => {
    h = await startHarness({ LOG_LEVEL: 'warn' });
    h.slack.rateLimits = 'tiers';
    h.openai.respond((req) => ({ text: answerFor(lastUserText(req)), chunkChars: 20, deltaDelayMs: 30 }));
    const ask = (from: number, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, n) => {
          const i = from + n;
          return h.slack.userMessage({ channel: `D0BUSY${i}`, user: `U${i}`, text: `busy question ${i}` });
        }),
      );
    const first = await ask(0, 120);
    const second = await ask(120, 40);
    for (const [n, { ts }] of [...first, ...second].entries()) {
      await wholeAnswer(h.slack, `D0BUSY${n}`, ts, answerFor(`busy question ${n}`), 30_000);
    }
    expect(h.slack.total429()).toBe(0);
    expect(h.slack.callsFor('chat.startStream').length).toBeLessThanOrEqual(20);
    expect(h.slack.callsFor('chat.update').length).toBeLessThanOrEqual(50);
    // No answer waited a minute for a Tier 2 or Tier 3 slot: most went out as one post each.
    expect(h.slack.callsFor('chat.postMessage').length).toBeGreaterThan(100);
  });
});
