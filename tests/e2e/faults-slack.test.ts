import { lastUserText } from '../helpers/fake-openai';
import { FaultTally, pause, repliesWith, wholeAnswer } from '../helpers/fault-tally';
import { type Harness, startHarness } from './harness';

/**
 * Faults on the Slack side: 429s with Retry-After on every write method, a workspace that refuses native streaming,
 * and a Socket Mode connection that drops or is recycled mid-answer. Each answer must arrive whole, in order, once.
 */
const tally = new FaultTally('faults-slack');

/** A long answer (~40 deltas) so a stream needs several appends; `tag` makes each answer unique. */
const answerFor = (tag: string) =>
  `Answer for ${tag}: ${Array.from({ length: 12 }, (_, i) => `step ${i + 1} is to check the dock and cable.`).join(' ')} Done.`;

describe('Slack faults', () => {
  jest.setTimeout(30_000);
  let h: Harness;

  afterEach(async () => {
    await h?.close();
  });
  afterAll(() => {
    console.log(tally.summary());
  });

  /** Every question's text becomes its own answer's tag, streamed slowly enough to need several writes. */
  function scriptSlowAnswers(deltaDelayMs = 25): void {
    h.openai.respond((req) => ({ text: answerFor(lastUserText(req)), chunkChars: 12, deltaDelayMs }));
  }

  /** Asks in a fresh DM and returns the thread once its answer has settled; records the reply count. */
  async function expectWholeAnswer(channel: string, tag: string): Promise<void> {
    const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: tag });
    await wholeAnswer(h.slack, channel, ts, answerFor(tag));
    await pause(300);
    tally.replies(repliesWith(h.slack, channel, ts, `Answer for ${tag}`).length);
    expect(h.slack.botReplies(channel, ts)).toHaveLength(1);
  }

  it('completes a streamed answer, whole and in order, through a 429 on startStream, appendStream and stopStream', async () => {
    h = await startHarness({ LOG_LEVEL: 'warn' });
    // Slow enough (~4 s) that the stream still has appends to make after startStream's one-second wait.
    scriptSlowAnswers(90);
    for (const method of ['chat.startStream', 'chat.appendStream', 'chat.stopStream']) {
      h.slack.failNext(method, { retryAfter: 1 });
    }
    await expectWholeAnswer('D0RL1', 'rate-limited stream');
    tally.inject(h.slack.total429());
    expect(h.slack.rateLimited).toMatchObject({ 'chat.startStream': 1, 'chat.appendStream': 1, 'chat.stopStream': 1 });
    expect(h.slack.callsFor('chat.appendStream').filter((c) => c.status === 200).length).toBeGreaterThan(0);
    expect(h.slack.callsFor('chat.postMessage')).toHaveLength(0);
  });

  it('completes a posted-and-updated answer through a 429 on postMessage and update', async () => {
    h = await startHarness({ LOG_LEVEL: 'warn' });
    h.slack.refuseStreaming = 'feature_not_enabled';
    scriptSlowAnswers();
    h.slack.failNext('chat.postMessage', { retryAfter: 1 });
    h.slack.failNext('chat.update', { retryAfter: 1 });
    await expectWholeAnswer('D0RL2', 'rate-limited post');
    tally.inject(h.slack.total429() + h.slack.callsFor('chat.startStream').length);
    expect(h.slack.rateLimited).toMatchObject({ 'chat.postMessage': 1, 'chat.update': 1 });
    expect(h.slack.callsFor('chat.update').filter((c) => c.status === 200).length).toBeGreaterThan(0);
  });

  it('delivers whole answers by posting and updating when the workspace refuses streaming, long ones split', async () => {
    h = await startHarness({ LOG_LEVEL: 'warn' });
    h.slack.refuseStreaming = 'feature_not_enabled';
    scriptSlowAnswers(5);
    await expectWholeAnswer('D0NOSTREAM1', 'no streaming');
    await expectWholeAnswer('D0NOSTREAM2', 'still no streaming');
    // The refusal is remembered: the second answer did not try to stream again.
    expect(h.slack.callsFor('chat.startStream')).toHaveLength(1);

    const paragraphs = Array.from(
      { length: 30 },
      (_, i) => `Paragraph ${i}: ${'restart the print spooler. '.repeat(9)}`,
    );
    const long = paragraphs.join('\n\n');
    h.openai.enqueue({ text: long, chunkChars: 300 });
    const { ts } = await h.slack.userMessage({ channel: 'D0NOSTREAM3', user: 'U1', text: 'the long version' });
    const replies = await h.slack.waitFor(() => {
      const found = h.slack.botReplies('D0NOSTREAM3', ts);
      const text = found.map((m) => m.text).join('');
      return text.replace(/\s+/g, '') === long.replace(/\s+/g, '') ? found : undefined;
    }, 15_000);
    tally.replies(replies.filter((m) => m.text.includes('Paragraph 0:')).length);
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) expect(reply.text.length).toBeLessThanOrEqual(4_000);
    expect(h.slack.callsFor('chat.startStream')).toHaveLength(1);
    tally.inject(h.slack.callsFor('chat.startStream').length);
  });

  it('keeps 24 simultaneous answers inside the workspace rate tiers, each once and whole', async () => {
    h = await startHarness({ LOG_LEVEL: 'warn' });
    h.slack.rateLimits = 'tiers';
    h.openai.respond((req) => ({ text: answerFor(lastUserText(req)), chunkChars: 20, deltaDelayMs: 20 }));
    const asked = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        h.slack.userMessage({ channel: `D0TIER${i}`, user: `U${i}`, text: `tier question ${i}` }),
      ),
    );
    for (const [i, { ts }] of asked.entries()) {
      await wholeAnswer(h.slack, `D0TIER${i}`, ts, answerFor(`tier question ${i}`), 20_000);
    }
    await pause(300);
    for (const [i, { ts }] of asked.entries()) {
      tally.replies(repliesWith(h.slack, `D0TIER${i}`, ts, 'Answer for').length);
      expect(h.slack.botReplies(`D0TIER${i}`, ts)).toHaveLength(1);
    }
    // Over Tier 2's 20 streams a minute, the rest were posted and updated; any 429 was retried, none lost text.
    expect(h.slack.callsFor('chat.startStream').length).toBeLessThanOrEqual(20);
    tally.inject(h.slack.total429());
  });

  describe.each([
    ['drops without a close frame', (harness: Harness) => harness.slack.dropAll()],
    ['asks the bot to reconnect (disconnect: refresh_requested)', (harness: Harness) => harness.slack.disconnectAll()],
  ])('when the Socket Mode connection %s mid-answer', (_name, cutConnection) => {
    it('reconnects, completes the answer under way, and answers what was sent in the gap once', async () => {
      h = await startHarness({ LOG_LEVEL: 'warn', SLACK_PING_TIMEOUT_MS: '200' });
      scriptSlowAnswers(40);
      const [firstConnection] = h.slack.connectionIds();
      const inFlight = await h.slack.userMessage({ channel: 'D0SOCK1', user: 'U1', text: 'in flight' });
      await h.slack.waitFor(() => h.slack.callsFor('chat.appendStream').length > 0);
      expect(h.slack.callsFor('chat.stopStream')).toHaveLength(0);

      const cut = cutConnection(h);
      tally.inject();
      // Sent while the bot has no connection: the fake holds it until the bot is back, as Slack would.
      const gap = h.slack.userMessage({ channel: 'D0SOCK2', user: 'U2', text: 'sent in the gap' });
      await cut;
      const { ts: gapTs, eventIds } = await gap;
      await h.slack.waitForConnections(1);
      expect(h.slack.connectionIds()).not.toContain(firstConnection);

      // The acks of the answer under way may have been lost with the socket, so Slack retries it: no second answer.
      const [inFlightEvent] = h.slack.envelopes.filter((e) => e.eventType === 'message').map((e) => e.eventId);
      expect(inFlightEvent).toBeDefined();
      await h.slack.redeliver(inFlightEvent as string);
      await h.slack.redeliver(eventIds[0]);
      tally.inject(2);

      await wholeAnswer(h.slack, 'D0SOCK1', inFlight.ts, answerFor('in flight'));
      await wholeAnswer(h.slack, 'D0SOCK2', gapTs, answerFor('sent in the gap'));

      const after = await h.slack.userMessage({ channel: 'D0SOCK3', user: 'U3', text: 'after the reconnect' });
      await wholeAnswer(h.slack, 'D0SOCK3', after.ts, answerFor('after the reconnect'));
      await pause(300);
      for (const [channel, ts, tag] of [
        ['D0SOCK1', inFlight.ts, 'in flight'],
        ['D0SOCK2', gapTs, 'sent in the gap'],
        ['D0SOCK3', after.ts, 'after the reconnect'],
      ]) {
        tally.replies(repliesWith(h.slack, channel, ts, `Answer for ${tag}`).length);
        expect(h.slack.botReplies(channel, ts)).toHaveLength(1);
      }
      expect(h.openai.requests).toHaveLength(3);
    });
  });
});
