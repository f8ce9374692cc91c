import { APP_TOKEN, BOT_TOKEN, type Harness, OPENAI_KEY, startHarness } from './harness';
import { answerIn, stillAnswers } from './replies';

const BOT = 'UBOT';
const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const SECRETS = [BOT_TOKEN, APP_TOKEN, OPENAI_KEY, 'secretbottoken', 'secretapptoken', 'secretopenaikey'];
const SEVERITY: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Distinctive strings in every question and answer, so any of them in a log line is easy to spot. */
const MARK = {
  dmQuestion: 'QDM-plugh-1187',
  dmAnswer: 'ADM-xyzzy-5521',
  mentionQuestion: 'QMENTION-frotz-3090',
  mentionAnswer: 'AMENTION-gnusto-4410',
  followQuestion: 'QFOLLOW-rezrov-7272',
  followAnswer: 'AFOLLOW-yomin-8383',
  failedQuestion: 'QFAIL-blorb-1234',
  authQuestion: 'QAUTH-nitfol-2345',
  partialQuestion: 'QPART-ozmoo-3456',
  partialAnswer: 'APART-girgol-4567',
  fallbackQuestion: 'QFALLBACK-aimfiz-5678',
  fallbackAnswer: 'AFALLBACK-cleesh-6789',
};

/** A DM, a mention, a follow-up, and failures of the model and of Slack, each answered or apologised for. */
async function converse(h: Harness): Promise<void> {
  h.openai.enqueue({ text: `Restart GlobalProtect. ${MARK.dmAnswer}` });
  const dm = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: `VPN help ${MARK.dmQuestion}` });
  await answerIn(h.slack, 'D0USER1', dm.ts);

  h.openai.enqueue({ text: `Try the other printer. ${MARK.mentionAnswer}` });
  const mention = await h.slack.userMessage({
    channel: 'C0GENERAL',
    user: 'U2',
    text: `<@${BOT}> printer jammed ${MARK.mentionQuestion}`,
  });
  await answerIn(h.slack, 'C0GENERAL', mention.ts);
  h.openai.enqueue({ text: `Then call the desk. ${MARK.followAnswer}` });
  await h.slack.userMessage({
    channel: 'C0GENERAL',
    user: 'U2',
    text: `still jammed ${MARK.followQuestion}`,
    threadTs: mention.ts,
  });
  await answerIn(h.slack, 'C0GENERAL', mention.ts, 2);

  h.openai.enqueue({ status: 500, errorBody: { error: { message: `upstream broke near ${MARK.failedQuestion}` } } });
  const failed = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: `why? ${MARK.failedQuestion}` });
  await answerIn(h.slack, 'D0USER1', failed.ts);

  // A misconfigured key, echoed back by the server the way some compatible servers do.
  h.openai.enqueue({ status: 401, errorBody: { error: { message: `Incorrect API key provided: ${OPENAI_KEY}` } } });
  const auth = await h.slack.userMessage({ channel: 'D0USER3', user: 'U3', text: `hi ${MARK.authQuestion}` });
  await answerIn(h.slack, 'D0USER3', auth.ts);

  h.openai.enqueue({ text: `Partial ${MARK.partialAnswer} and then the line dies`, chunkChars: 6, cutAfter: 4 });
  const partial = await h.slack.userMessage({ channel: 'D0USER4', user: 'U4', text: `go ${MARK.partialQuestion}` });
  await answerIn(h.slack, 'D0USER4', partial.ts);

  h.slack.failNext('chat.startStream', { error: 'team_not_allowed_streaming' });
  h.openai.enqueue({ text: `Posted instead. ${MARK.fallbackAnswer}` });
  const fallback = await h.slack.userMessage({ channel: 'D0USER5', user: 'U5', text: `x ${MARK.fallbackQuestion}` });
  await answerIn(h.slack, 'D0USER5', fallback.ts);

  await stillAnswers(h);
}

describe('privacy of logs', () => {
  const summary: string[] = [];
  afterAll(() => console.log(`privacy: ${summary.join('; ')}`));

  it.each(LEVELS)('at LOG_LEVEL=%s, no token appears anywhere and no message text at info or above', async (level) => {
    const h = await startHarness({ LOG_LEVEL: level });
    try {
      await converse(h);
      // The bot's own debug lines about a finished answer can trail the reply by a moment.
      await h.slack.waitFor(() => h.bot.handler.inFlight() === 0);
      await h.bot.stop();
    } finally {
      await h.close();
    }
    const lines = h.logs.lines;
    const entries = h.logs.entries();
    expect(lines.length).toBeGreaterThan(0);
    for (const entry of entries) expect(SEVERITY[String(entry.level)]).toBeLessThanOrEqual(SEVERITY[level]);

    const withSecret = lines.filter((line) => SECRETS.some((secret) => line.includes(secret)));
    expect(withSecret).toEqual([]);

    const markers = Object.values(MARK);
    const withText = entries.filter((entry) => {
      const line = JSON.stringify(entry);
      return entry.level !== 'debug' && markers.some((marker) => line.includes(marker));
    });
    expect(withText).toEqual([]);

    // The failures were logged, with their reference ids, at every level.
    expect(entries.filter((e) => e.message === 'answer failed')).toHaveLength(2);
    const fromSlackSdks = entries.filter((e) => typeof e.component === 'string');
    if (level === 'debug') {
      expect(fromSlackSdks.length).toBeGreaterThan(10);
      // Debug is the one level allowed to carry message text, and does (the SDKs log whole envelopes).
      expect(lines.some((line) => line.includes(MARK.dmQuestion))).toBe(true);
    }
    const debugWithText = entries.filter((e) => markers.some((m) => JSON.stringify(e).includes(m))).length;
    summary.push(
      `${level}: ${lines.length} lines (${fromSlackSdks.length} from Bolt/Socket Mode/Web API), 0 with a token, ` +
        `${debugWithText} with message text${level === 'debug' ? ' (debug only)' : ''}`,
    );
  });
});

describe('privacy of stored history', () => {
  it('keeps no key that was pasted into a question or echoed by the model, nor sends it again', async () => {
    const h = await startHarness();
    try {
      const pasted = 'xoxb-1111111111-2222222222-pastedbyuser';
      h.openai.enqueue({ text: `That looks like a bot token (${pasted}): revoke it now.` });
      const { ts } = await h.slack.userMessage({ channel: 'D0KEY', user: 'U1', text: `is ${pasted} still valid?` });
      expect(await answerIn(h.slack, 'D0KEY', ts)).not.toContain(pasted);
      await h.slack.userMessage({ channel: 'D0KEY', user: 'U1', text: 'done, thanks', threadTs: ts });
      await answerIn(h.slack, 'D0KEY', ts, 2);
      // The answer shows in Slack a moment before its turn is saved.
      await h.slack.waitFor(() => h.bot.handler.inFlight() === 0);
      const stored = await h.bot.store.load(`${h.slack.teamId}:D0KEY:${ts}`);
      expect(stored.map((turn) => turn.text)).toEqual([
        'is [redacted] still valid?',
        'That looks like a bot token ([redacted]): revoke it now.',
        'done, thanks',
        expect.any(String),
      ]);
      expect(JSON.stringify(h.openai.requests[1].body)).not.toContain(pasted);
    } finally {
      await h.close();
    }
  });
});
