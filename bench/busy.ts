import { mkdirSync } from 'node:fs';
import { type RunOptions, startBot, startFakes, stopAll } from './processes';
import { type ModelPacing, type Throughput, throughput } from './scenarios';
import { percentile, type Summary, summarize } from './stats';
import type { BenchStore } from './stores';
import type { Pacing, TeamMode } from './workload';

// One busy workspace, as an organisation deploys the bot: every burst, throughput and write measure shares one
// workspace's Slack allowance, with the fake enforcing Slack's tiers; the baseline bot runs the same workload.

/** Questions in flight for the one-workspace throughput run (the "64 in flight"). */
export const BUSY_CONCURRENCY = 64;
/**
 * How long the saturated run waits for its last questions: they wait for the workspace's chat.postMessage minute
 * (spent in the run's first seconds) to free, so that every question's work is counted against an answer.
 */
const SATURATED_SETTLE_MS = 75_000;
/** Answers of 2,000 characters over ~5 s of model time: 500 four-character tokens at 100 a second. */
const LONG: Omit<Pacing, 'ttftMs'> = { chars: 2_000, tokensPerSecond: 100 };

export interface BurstFigures {
  overhead: Summary;
  sent: number;
  answered: number;
  http429: number;
  http429ByMethod: Record<string, number>;
  lastMs: number;
}

/** The one-workspace figures of one bot (the real one with Slack's tiers on, or the baseline). */
export interface BusyResult {
  kind: 'bot' | 'sayStream';
  tiers: boolean;
  b50: BurstFigures;
  b200: BurstFigures;
  /** 50, then 50 more right away: time until all 100 answered in full (not measured in a quick run). */
  twice50?: BurstFigures;
  throughput: Throughput;
  /** 300 questions over a minute: question → complete answer (not measured in a quick run). */
  spread?: { complete: Summary; p90: number; sent: number; answered: number; http429: number };
}

/** What to measure: `quick` skips the two slow parts (50 after 50, 300 over a minute) to iterate on the others. */
export interface BusyOptions {
  spreadCount?: number;
  quick?: boolean;
}

function figures(run: {
  overheadMs: number[];
  sent: number;
  answered: number;
  http429: number;
  http429ByMethod: Record<string, number>;
  lastMs: number;
}): BurstFigures {
  return {
    http429ByMethod: run.http429ByMethod,
    overhead: summarize(run.overheadMs),
    sent: run.sent,
    answered: run.answered,
    http429: run.http429,
    lastMs: run.lastMs,
  };
}

/**
 * Bursts of 50 and 200, 50 right after 50, 64 always in flight with an instant model, and 300 over a minute, each in a
 * workspace of its own, Slack's tiers on for the bot. The fake counts a bot token's calls against one workspace, as
 * Slack does: its rate windows are cleared before each run, so no run starts with the last one's spent allowance.
 * The baseline runs with tiers off: it has no rate awareness, and with tiers on Bolt would pause it on every 429.
 */
export async function busyWorkspace(
  kind: 'bot' | 'sayStream',
  store: BenchStore,
  options: RunOptions,
  pacing: ModelPacing,
  { spreadCount = 300, quick = false }: BusyOptions = {},
): Promise<BusyResult> {
  const tiers = kind === 'bot';
  const fakes = await startFakes(tiers ? 'tiers' : 'off');
  const bot = await startBot(fakes, options, { kind, storeUrl: store.url(), label: `bot-busy-${kind}` });
  const team = (name: string): TeamMode => ({ team: name });
  // With --profile, the 200 burst and the throughput run each get a CPU profile of their own.
  const profiled = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
    if (!options.profileDir || kind !== 'bot') return run();
    mkdirSync(options.profileDir, { recursive: true });
    await bot.call.profileStart();
    try {
      return await run();
    } finally {
      await bot.call.profileStop(`${options.profileDir}/busy-${phase}.cpuprofile`);
    }
  };
  try {
    const burstPacing: Pacing = { chars: 120, ...pacing };
    // Warm-up (the fake's rate windows are cleared after it, so the measured runs start with the whole allowance).
    await fakes.call.burst({ count: 100, repeats: 1, pacing: burstPacing, teams: team('TBUSYWARM') });
    const fresh = () => fakes.call.clearRateWindows();
    await fresh();
    const b50 = await fakes.call.burst({ count: 50, repeats: 1, pacing: burstPacing, teams: team('TBUSY50') });
    await fresh();
    const b200 = await profiled('b200', () =>
      fakes.call.burst({ count: 200, repeats: 1, pacing: burstPacing, teams: team('TBUSY200') }),
    );
    await fresh();
    const twice50 = quick
      ? undefined
      : await fakes.call.burst({ count: 50, repeats: 2, pacing: burstPacing, teams: team('TBUSY2X50'), gapMs: 0 });
    await fresh();
    const rate = await profiled('throughput', () =>
      throughput(fakes, bot, BUSY_CONCURRENCY, 2, team('TBUSYRATE'), SATURATED_SETTLE_MS),
    );
    if (quick) return { kind, tiers, b50: figures(b50), b200: figures(b200), throughput: rate };
    await fresh();
    const spread = await fakes.call.spread({
      count: spreadCount,
      perSecond: 5,
      pacing: { ...LONG, ttftMs: pacing.ttftMs },
      teams: team('TBUSYSPREAD'),
      timeoutMs: 60_000,
    });
    return {
      kind,
      tiers,
      b50: figures(b50),
      b200: figures(b200),
      ...(twice50 ? { twice50: figures(twice50) } : {}),
      throughput: rate,
      spread: {
        complete: summarize(spread.completeMs),
        p90: percentile(spread.completeMs, 0.9),
        sent: spread.sent,
        answered: spread.answered,
        http429: spread.http429,
      },
    };
  } finally {
    await stopAll(bot, fakes);
  }
}
