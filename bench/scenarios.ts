// The per-store section: Socket Mode ack, overhead at 1/50/200, throughput, store calls and trim; and logging's cost.
import { type Bot, type Fakes, type RunOptions, startBot, startFakes, stopAll } from './processes';
import { type Summary, summarize } from './stats';
import type { BenchStore } from './stores';
import { CONCURRENCY, INSTANT, type ModelPacing, type Throughput, throughput } from './throughput';
import type { Pacing } from './workload';

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

export type LoggingResult = Awaited<ReturnType<typeof loggingCost>>;
