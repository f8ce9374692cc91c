import type { Script } from '../helpers/fake-openai';
import { lastUserText, messagesOf } from '../helpers/fake-openai';
import { APOLOGY, CUT_SHORT, FaultTally, INTERNALS, pause, wholeAnswer } from '../helpers/fault-tally';
import { type Harness, startHarness } from './harness';

/**
 * Faults on the model side, over both APIs: errors before the stream (retried where that makes sense, else one
 * friendly message), and streams that stall, break or report an error half way (the partial answer, marked as cut
 * short). Users never see internals, the stored history stays consistent, and the next message is answered.
 */
const tally = new FaultTally('faults-openai');

/** Upstream error text full of things a user must never see. */
const LEAKY_BODY = {
  error: { message: 'Error: db shard 7 exploded at https://internal.example/srv key sk-leakedkey0123456', type: 'x' },
};
const fast = { 'retry-after-ms': '1' };

const answerTo = (question: string) => `Answer to ${question}.`;

interface RetriedCase {
  name: string;
  faults: Script[];
}

interface FailedCase {
  name: string;
  faults: Script[];
  /** The LlmError kind the log line must carry. */
  kind: string;
}

interface CutCase {
  name: string;
  fault: Omit<Script, 'text'>;
  kind: string;
}

const RETRIED: RetriedCase[] = [
  { name: '429 then success', faults: [{ status: 429, headers: fast, errorBody: LEAKY_BODY }] },
  { name: '500 then success', faults: [{ status: 500, headers: fast, errorBody: LEAKY_BODY }] },
  { name: 'a timeout before the headers, then success', faults: [{ headersDelayMs: 3_000 }] },
];

const FAILED: FailedCase[] = [
  {
    name: 'a persistent 500',
    faults: [
      { status: 500, headers: fast, errorBody: LEAKY_BODY },
      { status: 500, headers: fast, errorBody: LEAKY_BODY },
    ],
    kind: 'server',
  },
  {
    name: 'a persistent 429',
    faults: [
      { status: 429, headers: fast, errorBody: LEAKY_BODY },
      { status: 429, headers: fast, errorBody: LEAKY_BODY },
    ],
    kind: 'rate_limited',
  },
  { name: 'a 401 (never retried)', faults: [{ status: 401, headers: fast, errorBody: LEAKY_BODY }], kind: 'auth' },
  {
    name: 'a persistent timeout before the headers',
    faults: [{ headersDelayMs: 3_000 }, { headersDelayMs: 3_000 }],
    kind: 'timeout',
  },
  { name: 'a connection cut before any text', faults: [{ cutAfter: 0 }], kind: 'connection' },
  { name: 'an error event before any text', faults: [{ sseErrorAfter: 0 }], kind: 'server' },
];

const CUT: CutCase[] = [
  { name: 'stalls mid-stream', fault: { stallAfter: 3 }, kind: 'stalled' },
  { name: 'cuts the connection mid-stream', fault: { cutAfter: 3 }, kind: 'connection' },
  { name: 'sends an error event mid-stream', fault: { sseErrorAfter: 3 }, kind: 'server' },
];

describe.each(['responses', 'chat'] as const)('model faults over the %s API', (api) => {
  jest.setTimeout(20_000);
  let h: Harness;
  let channelCount = 0;

  beforeAll(async () => {
    h = await startHarness({
      OPENAI_API: api,
      OPENAI_MAX_RETRIES: '1',
      OPENAI_TIMEOUT_MS: '1000',
      OPENAI_IDLE_TIMEOUT_MS: '300',
      LOG_LEVEL: 'info',
    });
    h.openai.respond((req) => ({ text: answerTo(lastUserText(req)) }));
  });
  afterAll(async () => {
    await h.close();
    if (api === 'chat') console.log(tally.summary());
  });

  /** A new DM thread for one case. */
  function newDm(): string {
    channelCount += 1;
    return `D0${api.toUpperCase()}${channelCount}`;
  }

  const requestsFor = (question: string) => h.openai.requests.filter((r) => lastUserText(r) === question).length;
  const storedTurns = (channel: string, rootTs: string) => h.bot.store.load(`${h.slack.teamId}:${channel}:${rootTs}`);
  const logFor = (ref: string, message: string) =>
    h.logs.entries().find((e) => e.ref === ref && e.message === message) as
      | { level: string; error: { kind: string; message: string } }
      | undefined;

  /** Waits for the log line that ends an answer (the turn is saved by then). */
  const answered = (ts: string) =>
    h.slack.waitFor(() => h.logs.entries().some((e) => e.message === 'answered' && e.ts === ts), 10_000);

  /** The follow-up in the same thread is answered, once, and the thread shows nothing a user must not see. */
  async function expectNextAnswered(channel: string, rootTs: string, question: string): Promise<void> {
    const next = `${question} (next)`;
    const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: next, threadTs: rootTs });
    await h.slack.waitFor(() => h.slack.botReplies(channel, rootTs).some((m) => m.text === answerTo(next)), 10_000);
    await answered(ts);
    await pause(200);
    const replies = h.slack.botReplies(channel, rootTs);
    tally.replies(replies.filter((m) => m.text !== answerTo(next)).length);
    tally.replies(replies.filter((m) => m.text === answerTo(next)).length);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply.text).not.toMatch(INTERNALS);
  }

  it.each(RETRIED)('retries $name and answers once', async ({ faults }) => {
    const channel = newDm();
    const question = `my VPN question in ${channel}`;
    h.openai.enqueue(...faults);
    tally.inject(faults.length);
    const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: question });
    await wholeAnswer(h.slack, channel, ts, answerTo(question));
    await answered(ts);
    expect(requestsFor(question)).toBe(faults.length + 1);
    expect((await storedTurns(channel, ts)).map((t) => t.text)).toEqual([question, answerTo(question)]);
    await expectNextAnswered(channel, ts, question);
  });

  it.each(FAILED)('turns $name into one friendly message, stores nothing, answers the next', async (c) => {
    const channel = newDm();
    const question = `my printer question in ${channel}`;
    h.openai.enqueue(...c.faults);
    tally.inject(c.faults.length);
    const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: question });
    const [reply] = await h.slack.waitFor(() => {
      const found = h.slack.botReplies(channel, ts);
      return found.length > 0 ? found : undefined;
    }, 10_000);
    const ref = APOLOGY.exec(reply.text)?.[1];
    expect(ref).toBeDefined();
    expect(requestsFor(question)).toBe(c.faults.length);
    const log = logFor(ref as string, 'answer failed');
    expect(log).toMatchObject({ level: 'error', error: { kind: c.kind } });
    expect(await storedTurns(channel, ts)).toEqual([]);
    await expectNextAnswered(channel, ts, question);
    // Only the turn that was answered is remembered.
    expect((await storedTurns(channel, ts)).map((t) => t.role)).toEqual(['user', 'assistant']);
  });

  it.each(CUT)('when the model $name: delivers the partial answer marked as cut short, and stores it so', async (c) => {
    const channel = newDm();
    const question = `my laptop question in ${channel}`;
    const text = `Partial answer about ${c.name}, which goes on and on for a while longer.`;
    const partial = text.slice(0, 24);
    h.openai.enqueue({ ...c.fault, text, chunkChars: 8 });
    tally.inject();
    const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: question });
    const [reply] = await h.slack.waitFor(() => {
      const found = h.slack.botReplies(channel, ts);
      return found.length > 0 && CUT_SHORT.test(found[0].text) && !found[0].streaming ? found : undefined;
    }, 10_000);
    const ref = CUT_SHORT.exec(reply.text)?.[1] as string;
    await answered(ts);
    expect(reply.text.replace(CUT_SHORT, '').trimEnd()).toBe(partial);
    expect(logFor(ref, 'answer cut short')).toMatchObject({ level: 'warn', error: { kind: c.kind } });
    const stored = await storedTurns(channel, ts);
    expect(stored.map((t) => t.text)).toEqual([question, `${partial}\n\n[answer cut short]`]);

    await expectNextAnswered(channel, ts, question);
    // The next request carries the partial answer as history, marked as cut short.
    const nextRequest = h.openai.requests.findLast((r) => lastUserText(r) === `${question} (next)`);
    expect(messagesOf(nextRequest!).map((m) => m.content)).toEqual([
      question,
      `${partial}\n\n[answer cut short]`,
      `${question} (next)`,
    ]);
    expect(h.openai.requests.filter((r) => lastUserText(r) === question)).toHaveLength(1);
  });
});
