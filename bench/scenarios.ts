import { setTimeout as sleep } from 'node:timers/promises';
import { type Bot, type Fakes, type RunOptions, startBot, startFakes, stopAll } from './processes';
import { median, type Summary, summarize } from './stats';
import type { BenchStore } from './stores';
import type { Pacing, TeamMode } from './workload';

/** The model's pacing for paced scenarios, from the command line. */
export interface ModelPacing {
  ttftMs: number;
  tokensPerSecond: number;
}

export const INSTANT: Pacing = { chars: 200, ttftMs: 0, tokensPerSecond: 0 };

/** Answers per second and bot CPU per answer with `concurrency` questions always in flight. */
export interface Throughput {
  /** The best of the measured windows: other processes on the machine can only slow the bot down. */
  answersPerSecond: number;
  /** The median of the windows. */
  medianAnswersPerSecond: number;
  /** process.cpuUsage() of the bot process per answer (main thread and V8's helper threads), median of the windows. */
  cpuMsPerAnswer: number;
  /** CPU of the fakes process per answer: on 2 cores, the bot can only go as fast as the fakes leave room for. */
  fakesCpuMsPerAnswer: number;
  answered: number;
  unfinished: number;
  /** Each measured window: answers, answers/s, bot CPU ms per answer. */
  windows: { answered: number; rate: number; cpuMs: number }[];
  /**
   * Bot CPU per answer from the loop's first question until the last one was answered (or the settle time ran out).
   * With the Slack budget spent early (one workspace), windows hold either answers whose writes come a minute later
   * or only waiting: over the whole run every answer's work is counted with it, and so is what the waiting costs.
   */
  wholeCpuMsPerAnswer: number;
  /** Answers from the loop's first question until the last answer, per second of that time. */
  wholeAnswersPerSecond: number;
  /** Answers in that time. */
  answeredInRun: number;
}

/** Questions kept in flight while measuring throughput. */
export const CONCURRENCY = 16;
const WINDOWS = 3;
const WINDOW_MS = 2_500;

export async function throughput(
  fakes: Fakes,
  bot: Bot,
  concurrency: number,
  windows = WINDOWS,
  teams: TeamMode = 'unique',
  settleMs = 30_000,
): Promise<Throughput> {
  const [startUsage, startMark] = await Promise.all([bot.call.usage(), fakes.call.loopMark()]);
  await fakes.call.loopStart({ concurrency, pacing: INSTANT, teams });
  await sleep(1_500);
  const marks = [await Promise.all([bot.call.usage(), fakes.call.loopMark()])];
  for (let n = 0; n < windows; n++) {
    await sleep(WINDOW_MS);
    marks.push(await Promise.all([bot.call.usage(), fakes.call.loopMark()]));
  }
  const { unfinished } = await fakes.call.loopStop({ settleMs });
  const [end, total] = await Promise.all([bot.call.usage(), fakes.call.loopMark()]);
  const cpu = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
  const measured = marks.slice(1).map(([u1, m1], n) => {
    const [u0, m0] = marks[n];
    const answered = m1.answered - m0.answered;
    return {
      answered,
      rate: answered / ((m1.at - m0.at) / 1000),
      cpuMs: (cpu(u1.cpu) - cpu(u0.cpu)) / answered,
      fakesCpuMs: (cpu(m1.cpu) - cpu(m0.cpu)) / answered,
    };
  });
  return {
    answersPerSecond: Math.max(...measured.map((w) => w.rate)),
    medianAnswersPerSecond: median(measured.map((w) => w.rate)),
    cpuMsPerAnswer: median(measured.map((w) => w.cpuMs)),
    fakesCpuMsPerAnswer: median(measured.map((w) => w.fakesCpuMs)),
    answered: measured.reduce((sum, w) => sum + w.answered, 0),
    unfinished,
    windows: measured.map(({ answered, rate, cpuMs }) => ({ answered, rate, cpuMs })),
    // loopStart counts answers from 0, so `total.answered` is the whole run's.
    wholeCpuMsPerAnswer: (cpu(end.cpu) - cpu(startUsage.cpu)) / total.answered,
    wholeAnswersPerSecond: total.answered / ((total.at - startMark.at) / 1000),
    answeredInRun: total.answered,
  };
}

/** Figures for one store. */
export interface StoreResult {
  store: string;
  ack: Summary;
  overhead: Record<'1' | '50' | '200', Summary>;
  /** Awaited store calls on the answering path while answering one conversation, per method. */
  storeCalls: Record<string, Summary>;
  throughput: Throughput;
  trim: Record<string, { load: Summary; build: Summary; total: Summary; kept: number }>;
  unanswered: number;
}

const STORE_PATH = ['claim', 'lock', 'load'];

/** Ack latency, overhead at 1/50/200, store share, throughput and trim times for one store. */
export async function storeScenarios(store: BenchStore, options: RunOptions, pacing: ModelPacing) {
  const fakes = await startFakes();
  const bot = await startBot(fakes, options, { storeUrl: store.url(), label: `bot-${store.name}` });
  try {
    const burstPacing: Pacing = { chars: 120, ...pacing };
    await fakes.call.sequential({ count: 40, pacing: INSTANT, gapMs: 5 });
    // Warm-up, so that the measured runs see a bot in its steady state (JIT-compiled, connections open).
    await fakes.call.burst({ count: 200, repeats: 1, pacing: burstPacing });
    const single = await fakes.call.sequential({ count: 300, pacing: INSTANT, gapMs: 20 });
    await bot.call.timeStore([...STORE_PATH, 'append', 'complete', 'unlock']);
    await fakes.call.sequential({ count: 100, pacing: INSTANT, gapMs: 20 });
    const times = await bot.call.storeTimes();
    const b50 = await fakes.call.burst({ count: 50, repeats: 4, pacing: burstPacing });
    const b200 = await fakes.call.burst({ count: 200, repeats: 3, pacing: burstPacing });
    const rate = await throughput(fakes, bot, CONCURRENCY);
    const trims = await bot.call.trim({ lengths: [10, 100, 1000], repeats: 60 });
    const trim: StoreResult['trim'] = {};
    for (const [length, t] of Object.entries(trims)) {
      trim[length] = {
        load: summarize(t.loadMs),
        build: summarize(t.buildMs),
        total: summarize(t.loadMs.map((ms, i) => ms + t.buildMs[i])),
        kept: t.kept,
      };
    }
    const storeCalls: Record<string, Summary> = {};
    for (const [method, samples] of Object.entries(times)) storeCalls[method] = summarize(samples);
    return {
      store: store.name,
      ack: summarize(single.ackMs),
      overhead: {
        '1': summarize(single.overheadMs),
        '50': summarize(b50.overheadMs),
        '200': summarize(b200.overheadMs),
      },
      storeCalls,
      throughput: rate,
      trim,
      unanswered: [single, b50, b200].reduce((sum, r) => sum + r.sent - r.answered, 0),
    } satisfies StoreResult;
  } finally {
    await stopAll(bot, fakes);
  }
}

/**
 * The cost of the one `info` line per answer ("answered"): two SQLite bots, at LOG_LEVEL=warn and info (lines to a
 * pipe), measured by turns so that both see the same machine load.
 */
export async function loggingCost(store: BenchStore, options: RunOptions) {
  const levels = ['warn', 'info'] as const;
  const bots: { fakes: Fakes; bot: Bot }[] = [];
  try {
    for (const logLevel of levels) {
      const fakes = await startFakes();
      const bot = await startBot(fakes, options, { storeUrl: store.url(), logLevel, label: `bot-log-${logLevel}` });
      bots.push({ fakes, bot });
      await fakes.call.sequential({ count: 40, pacing: INSTANT, gapMs: 5 });
    }
    const runs: Throughput[][] = [[], []];
    for (let turn = 0; turn < 2; turn++) {
      for (const [n, { fakes, bot }] of bots.entries()) runs[n].push(await throughput(fakes, bot, CONCURRENCY, 2));
    }
    const best = (list: Throughput[]) => list.reduce((a, b) => (b.answersPerSecond > a.answersPerSecond ? b : a));
    const lineMicros = await bots[1].bot.call.logLineCost(2_000);
    return { warn: best(runs[0]), info: best(runs[1]), lineMicros };
  } finally {
    for (const { fakes, bot } of bots) await stopAll(bot, fakes);
  }
}

/**
 * RSS after start; with 10,000 stored threads (the bot idle); and after 500 follow-up questions answered in 500 of
 * those threads, 20 at a time (history loaded and trimmed, and V8's young generation grown by the allocation rate).
 */
/** V8's memory reducer gives memory back ~8 s after allocation stops; 15 s leaves it time to have run. */
const SETTLE_MS = 15_000;

export async function memoryFootprint(store: BenchStore, options: RunOptions, nodeFlags: string[] = []) {
  const fakes = await startFakes();
  const label = `bot-rss-${store.name}${nodeFlags.length ? '-flags' : ''}`;
  const bot = await startBot(fakes, options, { storeUrl: store.url(), label, nodeFlags });
  try {
    await fakes.call.sequential({ count: 20, pacing: INSTANT, gapMs: 5 });
    const idle = await bot.call.memory();
    const { ms } = await bot.call.populate({ threads: 10_000 });
    const stored = await bot.call.memory();
    // A bot holding 10,000 threads, as it sits between questions: V8 gives back by itself the young generation the
    // populate burst grew (a real bot gathers its threads over weeks, not in seconds).
    await sleep(SETTLE_MS);
    const storedSettled = await bot.call.rss();
    const threads = Array.from({ length: 500 }, (_, i) => ({
      team: `TR${i * 20}`,
      channel: `DR${i * 20}`,
      threadTs: `1700000000.${String(i * 20).padStart(6, '0')}`,
    }));
    const followUps = await fakes.call.followUps({ threads, pacing: INSTANT, concurrency: 20 });
    const busy = await bot.call.memory();
    await sleep(SETTLE_MS);
    const settled = await bot.call.rss();
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      store: store.name,
      nodeFlags,
      idleRssMb: mb(idle.rss),
      rssMb: mb(stored.rss),
      settledRssMb: mb(settled),
      storedSettledRssMb: mb(storedSettled),
      parts: stored.parts,
      heapMb: mb(stored.heapUsed),
      busyRssMb: mb(busy.rss),
      busyHeapTotalMb: mb(busy.heapTotal),
      populateMs: ms,
      followUps: followUps.answered,
    };
  } finally {
    await stopAll(bot, fakes);
  }
}

export type LoggingResult = Awaited<ReturnType<typeof loggingCost>>;

export type MemoryResult = Awaited<ReturnType<typeof memoryFootprint>>;

/** First model token → first visible text, for the bot or the sayStream comparison. */
export async function firstText(
  kind: 'bot' | 'sayStream',
  store: BenchStore,
  options: RunOptions,
  pacing: ModelPacing,
) {
  const fakes = await startFakes();
  const bot = await startBot(fakes, options, { kind, storeUrl: store.url(), label: `bot-first-text-${kind}` });
  try {
    await fakes.call.sequential({ count: 10, pacing: INSTANT, gapMs: 5 });
    const run = await fakes.call.paced({ count: 40, staggerMs: 250, pacing: { chars: 400, ...pacing } });
    return { firstVisible: summarize(run.firstVisibleMs), unmatched: run.unmatched, answered: run.answered };
  } finally {
    await stopAll(bot, fakes);
  }
}

/**
 * 2,000-character answers streamed over 10 s: `count` of them at once, from one workspace (`team`) or each from its
 * own; with Slack's tiers enforced or not. Write calls per answer, 429s, answers complete, time to the last.
 */
export async function longAnswers(
  kind: 'bot' | 'sayStream',
  store: BenchStore,
  options: RunOptions,
  run: { count: number; oneWorkspace: boolean; tiers: boolean; timeoutMs: number; ttftMs: number },
) {
  const fakes = await startFakes(run.tiers ? 'tiers' : 'off');
  const label = `bot-long-${kind}-${run.count}${run.tiers ? '-tiers' : ''}`;
  const bot = await startBot(fakes, options, { kind, storeUrl: store.url(), label });
  try {
    const pacing: Pacing = { chars: 2_000, ttftMs: run.ttftMs, tokensPerSecond: 50 };
    const result = await fakes.call.together({
      count: run.count,
      pacing,
      teams: run.oneWorkspace ? { team: 'T0001' } : 'unique',
      timeoutMs: run.timeoutMs,
    });
    return {
      kind,
      count: run.count,
      complete: result.answered,
      writesPerAnswer: median(result.writes),
      maxWrites: result.writes.length ? Math.max(...result.writes) : Number.NaN,
      http429: result.http429,
      http429ByMethod: result.http429ByMethod,
      lastMs: result.lastMs,
      firstText: summarize(result.firstTextMs),
      writesByMethod: result.writesByMethod,
    };
  } finally {
    await stopAll(bot, fakes);
  }
}

export type LongResult = Awaited<ReturnType<typeof longAnswers>>;
