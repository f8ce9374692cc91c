import { setTimeout as sleep } from 'node:timers/promises';
import { createStore } from '../../src/store/create-store';
import { type BotProcess, startBotProcess } from '../helpers/bot-process';
import {
  type FakeOpenAI,
  lastUserText,
  messagesOf,
  type RecordedRequest,
  startFakeOpenAI,
} from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { postgresScratch, redisScratch, type Scratch } from '../helpers/scratch-stores';
import { botEnv } from './harness';

const THREADS = 20;
const PER_THREAD = 10;
/** Follow-ups go out in bursts while the thread's previous answer is still streaming: q1–q5, then q6–q9. */
const BURSTS = [
  [1, 2, 3, 4, 5],
  [6, 7, 8, 9],
];
const REDELIVER_EVERY = 3;
const MENTION = '<@UBOT> ';

interface Thread {
  index: number;
  channel: string;
  user: string;
  mention: boolean;
  rootTs?: string;
}

/** What one run measured. */
interface Figures {
  messages: number;
  redelivered: number;
  duplicates: number;
  lost: number;
  apologies: number;
  wallMs: number;
  /** Envelopes that carried the questions: mentions twice, plus the re-deliveries. */
  deliveries: number;
  answeredBy: number[];
  /** Threads whose questions were answered by both instances. */
  sharedThreads: number;
  claimMs: RoundTrips;
  loadMs: RoundTrips;
}

interface RoundTrips {
  avg: number;
  p95: number;
  n: number;
}

const question = (thread: Thread, k: number) => `q-${thread.index}-${k}`;
const plain = (text: string) => text.replace(MENTION, '');
/** The fake model's answer to a question: deterministic, so that every answer names its question. */
const answerTo = (q: string) => `answer to ${q}: check the cable, then the dock, then retry.`;
const questionOf = (req: RecordedRequest) => plain(lastUserText(req));

function roundTrips(samples: number[]): RoundTrips {
  const sorted = [...samples].sort((a, b) => a - b);
  const avg = sorted.reduce((sum, ms) => sum + ms, 0) / Math.max(1, sorted.length);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
  return { avg: Math.round(avg * 100) / 100, p95: Math.round(p95 * 100) / 100, n: sorted.length };
}

/**
 * Times the store operations every question costs (claim, then load of its thread) from a third client, while the
 * two instances are busy: what an instance waits for per store round trip under this load.
 */
function sampleRoundTrips(storeUrl: string) {
  const claimMs: number[] = [];
  const loadMs: number[] = [];
  let running = true;
  const done = (async () => {
    const store = await createStore(storeUrl);
    try {
      for (let i = 0; running; i++) {
        let started = performance.now();
        await store.claim(`T0PROBE:C0PROBE:${i}`, '{}', Date.now() + 60_000);
        claimMs.push(performance.now() - started);
        // Completed, so that no instance's recovery sweep takes the probe for an unanswered question.
        await store.complete(`T0PROBE:C0PROBE:${i}`);
        started = performance.now();
        await store.load('T0PROBE:C0PROBE:thread');
        loadMs.push(performance.now() - started);
        await sleep(10);
      }
    } finally {
      await store.close();
    }
  })();
  return async () => {
    running = false;
    await done;
    return { claimMs: roundTrips(claimMs), loadMs: roundTrips(loadMs) };
  };
}

/** Two bot processes on one fake Slack and one shared store; asks 200 questions and checks every answer. */
async function runTwoInstances(storeUrl: string): Promise<Figures> {
  const slack: FakeSlack = await startFakeSlack();
  const openai: FakeOpenAI = await startFakeOpenAI();
  const bots: BotProcess[] = [];
  /** SIGTERM to both instances; resolves with their exit codes. */
  const stop = async () => {
    for (const bot of bots) bot.kill('SIGTERM');
    return (await Promise.all(bots.map((bot) => bot.exited))).map((exit) => exit.code);
  };
  try {
    // Answers take ~0.6–1 s to stream, with a random time to first token: answers of different threads overlap, and a
    // thread's follow-ups arrive (a burst of them, a few ms apart) while its previous answer is still being written.
    openai.respond((req) => ({
      text: answerTo(questionOf(req)),
      chunkChars: 6,
      ttftMs: Math.floor(Math.random() * 40),
      deltaDelayMs: 50 + Math.floor(Math.random() * 40),
    }));
    const env = botEnv(slack, openai, { STORE_URL: storeUrl, STREAM_APPEND_INTERVAL_MS: '100', LOG_LEVEL: 'info' });
    for (let i = 0; i < 2; i++) bots.push(startBotProcess(env));
    await Promise.all(bots.map((bot) => bot.waitForLog((e) => e.message === 'support bot connected', 15_000)));
    await slack.waitForConnections(2);

    // Half the threads are DMs, half are channel threads where every message mentions the bot (so each arrives
    // twice: as app_mention and as message). Every third message is also re-delivered to the other instance.
    const threads: Thread[] = Array.from({ length: THREADS }, (_, index) => ({
      index,
      channel: index % 2 === 0 ? `D0MI${index}` : `C0MI${index}`,
      user: `U0MI${index}`,
      mention: index % 2 === 1,
    }));
    let sent = 0;
    let redelivered = 0;
    const questionEvents = new Set<string>();
    const ask = async (thread: Thread, k: number) => {
      const text = `${thread.mention ? MENTION : ''}${question(thread, k)}`;
      const { ts, eventIds } = await slack.userMessage({
        channel: thread.channel,
        user: thread.user,
        text,
        threadTs: thread.rootTs,
      });
      thread.rootTs ??= ts;
      for (const id of eventIds) questionEvents.add(id);
      sent++;
      if (sent % REDELIVER_EVERY === 0) {
        await slack.redeliver(eventIds[sent % eventIds.length], { toOtherConnection: true });
        redelivered++;
      }
    };
    const modelAsked = (q: string) => slack.waitFor(() => openai.requests.some((req) => questionOf(req) === q), 20_000);

    const stopSampling = sampleRoundTrips(storeUrl);
    const started = performance.now();
    await Promise.all(
      threads.map(async (thread) => {
        await ask(thread, 0);
        let busyWith = 0;
        for (const burst of BURSTS) {
          await modelAsked(question(thread, busyWith));
          for (const k of burst) await ask(thread, k);
          busyWith = burst[Math.floor(burst.length / 2)];
        }
      }),
    );
    const total = THREADS * PER_THREAD;
    const asked = threads.flatMap((t) => Array.from({ length: PER_THREAD }, (_, k) => question(t, k)));
    const finished = () => threads.flatMap((t) => slack.botReplies(t.channel, t.rootTs!).filter((m) => !m.streaming));
    const answeredQuestion = (reply: { text: string }) => /^answer to (q-\d+-\d+):/.exec(reply.text)?.[1];
    // Until every question has its answer (a duplicate never stands in for a missing one); the bound only ends a
    // failing run, which the checks below then describe.
    await slack
      .waitFor(() => {
        const answered = new Set(finished().map(answeredQuestion));
        return asked.every((q) => answered.has(q));
      }, 50_000)
      .catch(() => undefined);
    const wallMs = Math.round(performance.now() - started);
    // Anything a duplicate would still post has time to show up.
    await sleep(1000);
    const { claimMs, loadMs } = await stopSampling();

    // Exactly one answer per question, in Slack and at the model.
    const answers = new Map<string, number>();
    let apologies = 0;
    for (const reply of finished()) {
      const answered = answeredQuestion(reply);
      if (answered) answers.set(answered, (answers.get(answered) ?? 0) + 1);
      else apologies++;
    }
    const duplicates = asked.filter((q) => (answers.get(q) ?? 0) > 1);
    const lost = asked.filter((q) => !answers.has(q));
    if (duplicates.length + lost.length + apologies > 0) {
      // What the instances said while it went wrong (store errors, fallbacks, take-overs), counted by message.
      const said = new Map<string, number>();
      for (const entry of bots.flatMap((bot) => bot.logs)) {
        if (entry.level !== 'warn' && entry.level !== 'error') continue;
        const line = `${entry.level}: ${String(entry.message)}${entry.error ? ` (${JSON.stringify(entry.error)})` : ''}`;
        said.set(line, (said.get(line) ?? 0) + 1);
      }
      console.log('the instances logged:', [...said].map(([line, n]) => `${n} × ${line}`).join('\n'));
    }
    expect({ duplicates, lost, apologies }).toEqual({ duplicates: [], lost: [], apologies: 0 });
    expect(openai.requests.map(questionOf).sort()).toEqual([...asked].sort());

    // Each thread's stored history: every question and its answer, in the order asked.
    const store = await createStore(storeUrl);
    try {
      for (const thread of threads) {
        const turns = await store.load(`${slack.teamId}:${thread.channel}:${thread.rootTs}`);
        const expected = Array.from({ length: PER_THREAD }, (_, k) => [
          `user: ${question(thread, k)}`,
          `assistant: ${answerTo(question(thread, k))}`,
        ]).flat();
        expect(turns.map((turn) => `${turn.role}: ${plain(turn.text)}`)).toEqual(expected);
      }
    } finally {
      await store.close();
    }

    // Order across instances: the k-th question of a thread reached the model with the k-1 before it, answered.
    for (const req of openai.requests) {
      const [, i, k] = /^q-(\d+)-(\d+)$/.exec(questionOf(req)) ?? [];
      const thread = threads[Number(i)];
      const earlier = Array.from({ length: Number(k) }, (_, j) => [
        `user: ${question(thread, j)}`,
        `assistant: ${answerTo(question(thread, j))}`,
      ]).flat();
      const sentToModel = messagesOf(req).map((m) => `${m.role}: ${plain(m.content)}`);
      expect(sentToModel).toEqual([...earlier, `user: ${question(thread, Number(k))}`]);
    }

    for (const bot of bots) {
      expect(bot.logs.filter((e) => e.level === 'error')).toEqual([]);
      expect(bot.child.exitCode).toBeNull();
    }
    const answered = bots.map((bot) => bot.logs.filter((e) => e.message === 'answered'));
    const answeredBy = answered.map((lines) => lines.length);
    const channelsOf = answered.map((lines) => new Set(lines.map((e) => e.channel)));
    const sharedThreads = threads.filter((t) => channelsOf.every((channels) => channels.has(t.channel))).length;
    expect(answeredBy.every((n) => n > 0)).toBe(true);
    expect(await stop()).toEqual([0, 0]);
    return {
      messages: total,
      redelivered,
      duplicates: duplicates.length,
      lost: lost.length,
      apologies,
      wallMs,
      deliveries: slack.envelopes.filter((e) => questionEvents.has(e.eventId ?? '')).length,
      answeredBy,
      sharedThreads,
      claimMs,
      loadMs,
    };
  } finally {
    await stop();
    await slack.close();
    await openai.close();
  }
}

function summary(backend: string, f: Figures): string {
  return (
    `two instances on ${backend}: ${f.messages} messages in ${THREADS} threads, ${f.deliveries} deliveries ` +
    `(${f.redelivered} re-delivered to the other instance, mentions twice), ${f.duplicates} duplicates, ` +
    `${f.lost} lost, ${f.apologies} apologies; answered ${f.answeredBy.join(' + ')} per instance, ` +
    `${f.sharedThreads} threads by both, in order; ${f.wallMs} ms; store round trip under load: claim avg ` +
    `${f.claimMs.avg} ms (p95 ${f.claimMs.p95}), load avg ${f.loadMs.avg} ms (p95 ${f.loadMs.p95}), ` +
    `${f.claimMs.n} samples`
  );
}

describe('two instances sharing a store behave as one', () => {
  jest.setTimeout(90_000);

  const backends: Array<[string, Scratch]> = [
    ['Redis', redisScratch('multi')],
    ['PostgreSQL', postgresScratch('multi')],
  ];
  it.each(backends)('on %s: every message answered once, every thread complete and in order', async (name, scratch) => {
    try {
      console.log(summary(name, await runTwoInstances(scratch.url())));
    } finally {
      await scratch.drop();
    }
  });
});
