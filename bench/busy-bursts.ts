// The one-workspace bursts: the bots taking turns, and each bot's bursts pooled into one set of figures.
import { type BusyBot, team } from './busy-bots';
import { type Summary, summarize } from './stats';
import type { Pacing } from './workload';

/** One bot's bursts of one size, pooled: overheads, counts, 429s, and when the last answer was complete. */
export interface BurstFigures {
  overhead: Summary;
  sent: number;
  answered: number;
  http429: number;
  http429ByMethod: Record<string, number>;
  lastMs: number;
}

/** One burst as the fakes process reports it. */
interface BurstRun {
  overheadMs: number[];
  sent: number;
  answered: number;
  http429: number;
  http429ByMethod: Record<string, number>;
  lastMs: number;
}

/** Several bursts as one: overheads together, counts summed, the slowest burst's last answer. */
function pool(runs: BurstRun[]): BurstFigures {
  return figures({
    overheadMs: runs.flatMap((run) => run.overheadMs),
    sent: runs.reduce((sum, run) => sum + run.sent, 0),
    answered: runs.reduce((sum, run) => sum + run.answered, 0),
    http429: runs.reduce((sum, run) => sum + run.http429, 0),
    // The fake counts 429s by method since it started: the last run's tally covers them all.
    http429ByMethod: runs[runs.length - 1]?.http429ByMethod ?? {},
    lastMs: Math.max(...runs.map((run) => run.lastMs)),
  });
}

/** A burst's raw samples as figures for the report. */
export function figures(run: BurstRun): BurstFigures {
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
 * `repeats` bursts of `count` for each bot, taking turns (the bot's first, the baseline's first, the bot's second…),
 * each in a fresh workspace with the whole allowance: only one bot works at a time, and a machine whose speed drifts
 * over minutes (seen here: the same code's CPU per answer doubled within ten minutes) slows both alike.
 */
export async function interleavedBursts(bots: BusyBot[], count: number, repeats: number, name: string, pacing: Pacing) {
  const runs = bots.map((): BurstRun[] => []);
  for (let n = 0; n < repeats; n++) {
    for (const [i, b] of bots.entries()) {
      await b.fakes.call.clearRateWindows();
      runs[i].push(await b.fakes.call.burst({ count, repeats: 1, pacing, teams: team(`${name}${n}`) }));
    }
  }
  return runs.map(pool);
}
