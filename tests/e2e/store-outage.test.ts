import { setTimeout as sleep } from 'node:timers/promises';
import { type BotProcess, startBotProcess } from '../helpers/bot-process';
import {
  type FakeOpenAI,
  lastUserText,
  messagesOf,
  type RecordedRequest,
  startFakeOpenAI,
} from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { POSTGRES_PORT, postgresScratch, redisScratch, ThrowawayRedis } from '../helpers/scratch-stores';
import { TcpProxy } from '../helpers/tcp-proxy';
import { botEnv } from './harness';

const USER = 'U0OUT';
const answerTo = (question: string) => `answer to ${question}`;
/** What the model was sent, as `role: text` lines. */
const sent = (req: RecordedRequest) => messagesOf(req).map((m) => `${m.role}: ${m.content}`);

/** The bot as a process against fake Slack and OpenAI; the model answers "answer to <question>". */
async function startBot(storeUrl: string) {
  const slack: FakeSlack = await startFakeSlack();
  const openai: FakeOpenAI = await startFakeOpenAI();
  openai.respond((req) => ({ text: answerTo(lastUserText(req)), chunkChars: 8 }));
  const bot: BotProcess = startBotProcess(
    botEnv(slack, openai, { STORE_URL: storeUrl, STREAM_APPEND_INTERVAL_MS: '100', LOG_LEVEL: 'info' }),
  );
  await bot.waitForLog((e) => e.message === 'support bot connected', 15_000);

  /**
   * Asks in a DM (in `threadTs`, or a new thread) and waits for the answer; resolves with its ts and model request.
   * The bounds leave room for the first question of an outage, which waits until the store counts as down.
   */
  const ask = async (text: string, threadTs?: string, channel = 'D0OUT') => {
    const requests = openai.requests.length;
    const { ts, eventIds } = await slack.userMessage({ channel, user: USER, text, threadTs });
    const root = threadTs ?? ts;
    const reply = await slack.waitFor(
      () => slack.botReplies(channel, root).find((m) => !m.streaming && m.text === answerTo(text)),
      30_000,
    );
    // Done only once the bot is: the turn saved (or given up on) and the thread released.
    await bot.waitForLog((e) => e.message === 'answered' && e.ts === ts, 30_000);
    const request = openai.requests.slice(requests).find((req) => lastUserText(req) === text);
    return { ts, eventIds, reply, request: request! };
  };
  const stop = async () => {
    bot.kill('SIGTERM');
    const exit = await bot.exited;
    await slack.close();
    await openai.close();
    return exit;
  };
  return { slack, openai, bot, ask, stop };
}

/** Log lines written while `during` ran; and none of them may carry a stack trace. */
async function linesDuring(bot: BotProcess, during: () => Promise<void>) {
  const from = bot.logs.length;
  await during();
  const lines = bot.logs.slice(from);
  expect(lines.filter((e) => 'stack' in e || JSON.stringify(e).includes('\\n    at '))).toEqual([]);
  return lines;
}

/** Asks follow-ups until one's request holds the stored history (not Slack's copy of the thread), at most 20 tries. */
async function untilHistoryIsBack(
  ask: (text: string, threadTs?: string) => Promise<{ request: RecordedRequest }>,
  threadTs: string,
  stored: (req: RecordedRequest) => boolean,
): Promise<number> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const { request } = await ask(`is it back? ${attempt}`, threadTs);
    if (stored(request)) return attempt;
    await sleep(250);
  }
  throw new Error('the bot never answered from stored history again');
}

describe('a store outage', () => {
  jest.setTimeout(90_000);

  it('Redis killed and restarted: the bot keeps answering without memory, and remembers again by itself', async () => {
    const redis = await ThrowawayRedis.start();
    const scratch = redisScratch('outage', redis.port);
    const h = await startBot(scratch.url());
    try {
      const first = await h.ask('wifi is down');
      expect(sent(first.request)).toEqual(['user: wifi is down']);

      const outage = await linesDuring(h.bot, async () => {
        await redis.kill();
        // The thread goes on: its stored history is out of reach, so the bot reads the thread from Slack.
        const during = await h.ask('still down', first.ts);
        expect(sent(during.request)).toEqual([
          `user: <@${USER}> wrote: wifi is down`,
          `assistant: ${answerTo('wifi is down')}`,
          'user: still down',
        ]);
        // A new question, and a retry of it: one answer, the claim held by this process meanwhile.
        const fresh = await h.ask('printer jammed');
        await h.slack.redeliver(fresh.eventIds[0]);
        const mention = await h.ask(`<@${h.slack.botUserId}> badge broken`, undefined, 'C0OUT');
        // A follow-up in the channel thread without a new mention: Slack's copy shows the bot answered there.
        const followUp = await h.ask('and the door badge?', mention.ts, 'C0OUT');
        expect(sent(followUp.request).at(-1)).toBe('user: and the door badge?');
        await sleep(300);
        expect(h.slack.botReplies('D0OUT', fresh.ts)).toHaveLength(1);
        expect(h.slack.botReplies('C0OUT', mention.ts)).toHaveLength(2);
      });
      // One warning per delivery whose claim failed (the retry and the mention's second event included), one for the
      // lost connection, one per kind of store call for the outage (the first claim, asked again until the store
      // counted as down, lets heartbeats and sweeps fail too), and a couple of lines per answer: no flood.
      expect(outage.filter((e) => e.message === 'store unreachable: answering without memory')).toHaveLength(6);
      expect(outage.filter((e) => e.message === 'store unreachable: reading the thread from Slack')).toHaveLength(1);
      expect(outage.filter((e) => e.message === 'Redis store: connection lost, reconnecting')).toHaveLength(1);
      expect(outage.filter((e) => e.level === 'warn' || e.level === 'error').length).toBeLessThanOrEqual(25);

      // Back (empty: it kept nothing): the bot reconnects by itself and builds history from what it saves from now on.
      await redis.start();
      const recovery = await linesDuring(h.bot, async () => {
        const storedHistory = (req: RecordedRequest) => sent(req).some((line) => /^user: is it back\? \d+$/.test(line));
        const attempts = await untilHistoryIsBack(h.ask, first.ts, storedHistory);
        console.log(`Redis restarted: history back after ${attempts} follow-up(s)`);
      });
      expect(recovery.filter((e) => e.level === 'error').length).toBeLessThanOrEqual(2);
      expect(h.bot.child.exitCode).toBeNull();
      expect(h.bot.stderr()).toBe('');
    } finally {
      const exit = await h.stop();
      await scratch.drop().catch(() => undefined);
      await redis.kill();
      expect(exit.code).toBe(0);
    }
  });

  it('PostgreSQL cut off mid-answer and back: the bot keeps answering, then answers with the thread it remembered', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: POSTGRES_PORT });
    await proxy.start();
    const scratch = postgresScratch('outage');
    const h = await startBot(scratch.url(proxy.port));
    let cut = false;
    try {
      const first = await h.ask('vpn drops');

      const outage = await linesDuring(h.bot, async () => {
        // The connection goes while an answer streams: the answer still arrives, but its turn cannot be saved and its
        // lease on the thread cannot be released.
        h.openai.enqueue({ text: answerTo('drops again'), chunkChars: 2, ttftMs: 200, deltaDelayMs: 20 });
        const streaming = h.ask('drops again', first.ts);
        await h.slack.waitFor(() => h.openai.requests.some((req) => lastUserText(req) === 'drops again'));
        await proxy.stop();
        cut = true;
        expect(sent((await streaming).request)[0]).toBe('user: vpn drops');
        // With the store away, the thread is read from Slack instead.
        const during = await h.ask('and again', first.ts);
        expect(sent(during.request)[0]).toBe(`user: <@${USER}> wrote: vpn drops`);
      });
      expect(outage.filter((e) => e.message === 'store unreachable: answering without memory')).toHaveLength(1);
      // Each turn is tried again in the background until the store is back (a retried save stores it once).
      expect(outage.filter((e) => e.message === 'could not save the turn yet; retrying')).toHaveLength(2);
      // One line per failing step of the two answers (save), and one per kind of store call for the outage (claims,
      // history, completions, budgets, question records, Slack capacity leases, heartbeats, sweeps): no flood.
      expect(outage.filter((e) => e.level === 'warn' || e.level === 'error').length).toBeLessThanOrEqual(15);

      await proxy.start();
      cut = false;
      // Nothing stored was lost: the first turn is in the prompt again, as stored (not as read from Slack); and the
      // lease the cut left behind was released, so the follow-up did not wait for it to expire (RECOVERY_STALE_SECONDS).
      const started = Date.now();
      const attempts = await untilHistoryIsBack(h.ask, first.ts, (req) => sent(req)[0] === 'user: vpn drops');
      expect(Date.now() - started).toBeLessThan(5000);
      console.log(`PostgreSQL back: history back after ${attempts} follow-up(s), ${Date.now() - started} ms`);
      expect(h.bot.child.exitCode).toBeNull();
      expect(h.bot.stderr()).toBe('');
    } finally {
      if (cut) await proxy.start();
      const exit = await h.stop();
      await proxy.stop();
      await scratch.drop();
      expect(exit.code).toBe(0);
    }
  });
});
