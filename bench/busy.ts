import { type BusyBot, profiled, startBusyBot, team } from './busy-bots';
import { type BurstFigures, figures, interleavedBursts } from './busy-bursts';
import { type RunOptions, stopAll } from './processes';
import { percentile, type Summary, summarize } from './stats';
import type { BenchStore } from './stores';
import { type ModelPacing, type Throughput, throughput } from './throughput';
import type { Pacing } from './workload';

// One busy workspace, as an organisation deploys the bot: every burst, throughput and write measure shares one
// workspace's Slack allowance, with the fake enforcing Slack's tiers; the baseline bot runs the same workload.

/** Questions in flight for the one-workspace throughput run (the "64 in flight"). */
const BUSY_CONCURRENCY = 64;
/**
 * How long the saturated run waits for its last questions: they wait for the workspace's chat.postMessage minute
 * (spent in the run's first seconds) to free, so that every question's work is counted against an answer.
 */
const SATURATED_SETTLE_MS = 75_000;
/** Answers of 2,000 characters over ~5 s of model time: 500 four-character tokens at 100 a second. */
const LONG: Omit<Pacing, 'ttftMs'> = { chars: 2_000, tokensPerSecond: 100 };

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

/** 50 right after 50, 64 in flight with an instant model, and 300 over a minute: one bot at a time. */
async function longRuns(b: BusyBot, options: RunOptions, pacing: ModelPacing, spreadCount: number, quick: boolean) {
  await b.fakes.call.clearRateWindows();
  const twice50 = quick
    ? undefined
    : await b.fakes.call.burst({
        count: 50,
        repeats: 2,
        pacing: { chars: 120, ...pacing },
        teams: team('TBUSY2X50'),
        gapMs: 0,
      });
  await b.fakes.call.clearRateWindows();
  const rate = await profiled([b], options, 'throughput', () =>
    throughput(b.fakes, b.bot, BUSY_CONCURRENCY, 2, team('TBUSYRATE'), SATURATED_SETTLE_MS),
  );
  if (quick) return { twice50, rate };
  await b.fakes.call.clearRateWindows();
  const spread = await b.fakes.call.spread({
    count: spreadCount,
    perSecond: 5,
    pacing: { ...LONG, ttftMs: pacing.ttftMs },
    teams: team('TBUSYSPREAD'),
    timeoutMs: 60_000,
  });
  return { twice50, rate, spread };
}

/**
 * Bursts of 50 and 200, 50 right after 50, 64 always in flight with an instant model, and 300 over a minute, each in a
 * workspace of its own, Slack's tiers on for the bot. The fake counts a bot token's calls against one workspace, as
 * Slack does: its rate windows are cleared before each run, so no run starts with the last one's spent allowance.
 * The baseline runs with tiers off: it has no rate awareness, and with tiers on Bolt would pause it on every 429.
 * The bots' bursts take turns; the long runs go one bot after the other.
 */
export async function busyWorkspaces(
  kinds: BusyBot['kind'][],
  store: BenchStore,
  options: RunOptions,
  pacing: ModelPacing,
  { spreadCount = 300, quick = false }: BusyOptions = {},
): Promise<BusyResult[]> {
  const bots: BusyBot[] = [];
  try {
    for (const kind of kinds) bots.push(await startBusyBot(kind, store, options));
    const burstPacing: Pacing = { chars: 120, ...pacing };
    // The same warm-up as the many-workspace runs (JIT-compiled, connections open), so that the two columns compare
    // one workspace with many rather than a cold bot with a warm one; the fake's rate windows are cleared after it.
    for (const b of bots) {
      const warm = team('TBUSYWARM');
      await b.fakes.call.sequential({ count: 40, pacing: { ...burstPacing, ttftMs: 0 }, gapMs: 5, teams: warm });
      await b.fakes.call.burst({ count: 200, repeats: 1, pacing: burstPacing, teams: warm });
    }
    // Like the many-workspace figures, 4 bursts of 50 and 3 of 200, pooled.
    const b50 = await interleavedBursts(bots, 50, 4, 'TBUSY50R', burstPacing);
    const b200 = await profiled(bots, options, 'b200', () => interleavedBursts(bots, 200, 3, 'TBUSY200R', burstPacing));
    const results: BusyResult[] = [];
    for (const [i, b] of bots.entries()) {
      const { twice50, rate, spread } = await longRuns(b, options, pacing, spreadCount, quick);
      results.push({
        kind: b.kind,
        tiers: b.tiers,
        b50: b50[i],
        b200: b200[i],
        ...(twice50 ? { twice50: figures(twice50) } : {}),
        throughput: rate,
        ...(spread
          ? {
              spread: {
                complete: summarize(spread.completeMs),
                p90: percentile(spread.completeMs, 0.9),
                sent: spread.sent,
                answered: spread.answered,
                http429: spread.http429,
              },
            }
          : {}),
      });
    }
    return results;
  } finally {
    for (const b of bots) await stopAll(b.bot, b.fakes);
  }
}
