import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { createStore } from '../../src/store/create-store';
import { type BotProcess, startBotProcess } from '../helpers/bot-process';
import { type FakeOpenAI, lastUserText, startFakeOpenAI } from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { FaultTally, pause, wholeAnswer } from '../helpers/fault-tally';
import { scratchDir } from '../helpers/scratch-dir';
import { APP_TOKEN, BOT_TOKEN, botEnv, OPENAI_KEY, writeContexts } from './harness';

/**
 * The process dies or is stopped around questions it accepted: kill -9 before answering (the restart answers, once,
 * if the question is recent enough), SIGTERM with answers under way (they finish, nothing new is taken, exit 0),
 * and a store that cannot be reached at start (a clear error and a quick non-zero exit).
 */
const tally = new FaultTally('crash-recovery');
const answerTo = (question: string) => `Answer to ${question}.`;

describe('crashes, restarts and shutdowns', () => {
  jest.setTimeout(30_000);
  let slack: FakeSlack;
  let openai: FakeOpenAI;
  let bots: BotProcess[];
  let env: Record<string, string>;
  let storeFile: string;

  beforeEach(async () => {
    slack = await startFakeSlack();
    openai = await startFakeOpenAI();
    openai.respond((req) => ({ text: answerTo(lastUserText(req)) }));
    bots = [];
    storeFile = path.join(scratchDir('crash'), 'threads.db');
    env = botEnv(slack, openai, { STORE_URL: `sqlite://${storeFile}`, RECOVERY_STALE_SECONDS: '1', LOG_LEVEL: 'info' });
  });
  afterEach(async () => {
    for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.kill('SIGKILL');
    await Promise.all(bots.map((bot) => bot.exited));
    await slack.close();
    await openai.close();
  });

  async function start(overrides: Record<string, string> = {}): Promise<BotProcess> {
    const bot = startBotProcess({ ...env, ...overrides });
    bots.push(bot);
    await bot.waitForLog((e) => e.message === 'support bot connected', 15_000);
    return bot;
  }

  const logged = (bot: BotProcess, message: string, ts?: string) =>
    bot.waitForLog((e) => e.message === message && (ts === undefined || e.ts === ts), 15_000);

  it('answers, once, a question the process accepted and was killed (kill -9) before answering', async () => {
    const first = await start();
    // The model never answers the first process: it dies waiting for the response headers.
    openai.enqueue({ headersDelayMs: 60_000 });
    const { ts } = await slack.userMessage({ channel: 'D0KILL', user: 'U1', text: 'my badge is blocked' });
    await slack.waitFor(() => openai.requests.length === 1);
    first.kill('SIGKILL');
    await first.exited;
    tally.inject();
    expect(slack.botReplies('D0KILL', ts)).toHaveLength(0);

    const second = await start();
    await wholeAnswer(slack, 'D0KILL', ts, answerTo('my badge is blocked'), 20_000);
    await logged(second, 'answered', ts);
    expect(second.logs.some((e) => e.message === 'answering a question left unanswered' && e.ts === ts)).toBe(true);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    // A further restart, past the staleness delay, finds nothing left to answer.
    const third = await start();
    await pause(2_500);
    const sentinel = await slack.userMessage({ channel: 'D0KILL2', user: 'U2', text: 'still there?' });
    await wholeAnswer(slack, 'D0KILL2', sentinel.ts, answerTo('still there?'));
    tally.replies(slack.botReplies('D0KILL', ts).length);
    tally.replies(slack.botReplies('D0KILL2', sentinel.ts).length);
    expect(slack.botReplies('D0KILL', ts)).toHaveLength(1);
    expect(openai.requests.filter((r) => lastUserText(r) === 'my badge is blocked')).toHaveLength(2);
    expect(third.logs.some((e) => e.message === 'answering a question left unanswered')).toBe(false);
  });

  it('answers in full after a kill -9 mid-stream, removing the cut-off start of the answer', async () => {
    const first = await start();
    openai.enqueue({ text: 'Partial words, and then the process dies.', chunkChars: 4, stallAfter: 4 });
    const { ts } = await slack.userMessage({ channel: 'D0MID', user: 'U1', text: 'my dock flickers' });
    // Killed once the stream has taken its appends: a message is recorded with its claim a moment after Slack
    // creates it, so one written in the last milliseconds before a crash would be left in place.
    await slack.waitFor(() => slack.botReplies('D0MID', ts).some((m) => m.text.length >= 16));
    first.kill('SIGKILL');
    await first.exited;
    tally.inject();

    const second = await start();
    await logged(second, 'answered', ts);
    await pause(300);
    const replies = slack.botReplies('D0MID', ts);
    tally.replies(replies.length);
    // One whole answer: the dead process's half-written stream is gone, not left above it.
    expect(replies.map((m) => ({ text: m.text, streaming: m.streaming }))).toEqual([
      { text: answerTo('my dock flickers'), streaming: false },
    ]);
    expect(second.logs.filter((e) => e.message === 'removed a reply left unfinished')).toHaveLength(1);
  });

  it('does not answer late a question older than RECOVERY_WINDOW_MINUTES, and tells the asker to ask again', async () => {
    const first = await start({ RECOVERY_WINDOW_MINUTES: '1' });
    openai.enqueue({ headersDelayMs: 60_000 });
    // Slack delivers, late (as its retries can), a question asked two minutes ago.
    const askedAt = (Date.now() - 2 * 60_000) / 1000;
    const oldTs = askedAt.toFixed(6);
    await slack.deliver(
      slack.eventPayload({
        type: 'message',
        channel: 'D0OLD',
        channel_type: 'im',
        user: 'U1',
        text: 'an old question',
        ts: oldTs,
        event_ts: oldTs,
        team: slack.teamId,
      }),
    );
    await slack.waitFor(() => openai.requests.length === 1);
    first.kill('SIGKILL');
    await first.exited;
    tally.inject();

    const second = await start({ RECOVERY_WINDOW_MINUTES: '1' });
    const givenUp = await logged(second, 'unanswered question given up');
    expect(givenUp).toMatchObject({ level: 'warn', reason: 'too old', id: `${slack.teamId}:D0OLD:${oldTs}` });
    await slack.waitFor(() => slack.botReplies('D0OLD', oldTs).length > 0);
    await pause(1_500);
    const replies = slack.botReplies('D0OLD', oldTs);
    tally.replies(replies.length);
    expect(replies.map((m) => m.text)).toEqual([expect.stringMatching(/too long .*Please ask again/)]);
    expect(openai.requests).toHaveLength(1);

    // Told once: a further restart finds nothing left to say.
    second.kill('SIGTERM');
    await second.exited;
    const third = await start({ RECOVERY_WINDOW_MINUTES: '1' });
    await pause(2_500);
    expect(third.logs.some((e) => e.message === 'unanswered question given up')).toBe(false);
    expect(slack.botReplies('D0OLD', oldTs)).toHaveLength(1);
  });

  it('takes over questions with the same access checks: a guest is declined, a refusal is never answered', async () => {
    // What an instance that died right after claiming leaves in the store: a guest's DM, claimed before the
    // DM_MEMBERS_ONLY check ran, and a refusal's claim (no question kept), both pending.
    slack.setUser('U0GUEST', { is_restricted: true });
    const now = Date.now() / 1000;
    const guestTs = now.toFixed(6);
    const refusedTs = (now + 0.001).toFixed(6);
    const guest = {
      source: 'message',
      team: slack.teamId,
      channel: 'D0GUEST',
      channelType: 'im',
      user: 'U0GUEST',
      text: 'reset my VPN',
      ts: guestTs,
    };
    const store = await createStore(`sqlite://${storeFile}`);
    await store.claim(`${slack.teamId}:D0GUEST:${guestTs}`, JSON.stringify(guest), Date.now() + 3_600_000);
    await store.claim(`${slack.teamId}:C0SHARED:${refusedTs}`, '', Date.now() + 3_600_000);
    await store.close();
    await pause(1_200);
    tally.inject(2);

    const bot = await start({ DM_MEMBERS_ONLY: 'true' });
    await slack.waitFor(() => slack.botReplies('D0GUEST', guestTs).length > 0, 10_000);
    const declined = await logged(bot, 'unanswered question given up');
    expect(declined).toMatchObject({ reason: 'declined', id: `${slack.teamId}:C0SHARED:${refusedTs}` });
    await pause(500);
    tally.replies(slack.botReplies('D0GUEST', guestTs).length);
    expect(slack.botReplies('D0GUEST', guestTs).map((m) => m.text)).toEqual([
      expect.stringMatching(/only help full members/),
    ]);
    expect(slack.calls.filter((c) => c.args.channel === 'C0SHARED')).toEqual([]);
    expect(openai.requests).toHaveLength(0);
  });

  it('on SIGTERM finishes every answer under way, takes nothing new, and exits 0 in time', async () => {
    const bot = await start({ SHUTDOWN_TIMEOUT_MS: '10000' });
    const slow = (question: string) => ({ text: answerTo(question), chunkChars: 2, deltaDelayMs: 100 });
    const questions = ['printer one', 'printer two', 'printer three'];
    openai.enqueue(...questions.map(slow));
    const asked = await Promise.all(
      questions.map((text, i) => slack.userMessage({ channel: `D0TERM${i}`, user: `U${i}`, text })),
    );
    await slack.waitFor(() => slack.callsFor('chat.startStream').length === 3);
    const signalledAt = Date.now();
    bot.kill('SIGTERM');
    tally.inject();
    await logged(bot, 'shutting down');
    // Sent once the bot is stopping. Unacked, Slack would send it again later to whichever connection is open.
    const lateTs = (Date.now() / 1000).toFixed(6);
    const latePayload = slack.eventPayload({
      type: 'message',
      channel: 'D0LATE',
      channel_type: 'im',
      user: 'U9',
      text: 'sent after SIGTERM',
      ts: lateTs,
      event_ts: lateTs,
      team: slack.teamId,
    });
    const lateDelivery = slack.deliver(latePayload).then(
      () => 'acked' as const,
      () => 'not acked' as const,
    );
    const { code } = await bot.exited;
    const took = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    for (const [i, { ts }] of asked.entries()) {
      const replies = slack.botReplies(`D0TERM${i}`, ts);
      expect(replies.map((m) => m.text).join('')).toBe(answerTo(questions[i]));
      expect(replies.every((m) => !m.streaming)).toBe(true);
    }
    expect(openai.requests.filter((r) => lastUserText(r) === 'sent after SIGTERM')).toHaveLength(0);
    // Neither answered nor claimed by the stopping process: it is still Slack's to deliver elsewhere.
    const store = await createStore(`sqlite://${storeFile}`);
    const pending = await store.takeStale(0);
    await store.close();
    expect(pending).toEqual([]);

    await start();
    // Either the stopping process's socket dropped it unacked (Slack retries it), or it waited for the next one.
    const firstDelivery = await lateDelivery;
    if (firstDelivery === 'not acked') await slack.redeliver(latePayload.event_id);
    console.log(`crash-recovery: the event sent after SIGTERM was ${firstDelivery} by the stopping process's socket`);
    await wholeAnswer(slack, 'D0LATE', lateTs, answerTo('sent after SIGTERM'));
    await pause(300);
    for (const [i, { ts }] of asked.entries()) tally.replies(slack.botReplies(`D0TERM${i}`, ts).length);
    tally.replies(slack.botReplies('D0LATE', lateTs).length);
    expect(slack.botReplies('D0LATE', lateTs)).toHaveLength(1);
  });
});

afterAll(() => {
  console.log(tally.summary());
});

describe('a store unreachable at start', () => {
  jest.setTimeout(20_000);
  let blackHole: Server;
  let blackHolePort: number;
  let closedPort: number;
  const held = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never says a word: a server that hangs rather than refuses.
    blackHole = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHolePort = (blackHole.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it.each([
    ['Redis on a closed port', () => `redis://127.0.0.1:${closedPort}`],
    ['PostgreSQL on a closed port', () => `postgres://postgres:hunter2@127.0.0.1:${closedPort}/test`],
    ['Redis that never answers', () => `redis://127.0.0.1:${blackHolePort}`],
    ['PostgreSQL that never answers', () => `postgres://postgres:hunter2@127.0.0.1:${blackHolePort}/test`],
  ])('%s: names STORE_URL on stderr and exits non-zero quickly', async (_name, url) => {
    const slack = await startFakeSlack();
    try {
      const startedAt = Date.now();
      const bot = startBotProcess({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        OPENAI_API_KEY: OPENAI_KEY,
        SLACK_API_URL: slack.apiUrl,
        STORE_URL: url(),
        CONTEXTS_DIR: writeContexts(),
      });
      tally.inject();
      const { code } = await bot.exited;
      expect(code).not.toBe(0);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(bot.stderr()).toMatch(/STORE_URL/);
      expect(bot.stderr()).not.toContain('hunter2');
      expect(slack.connectionCount()).toBe(0);
    } finally {
      await slack.close();
    }
  });
});
