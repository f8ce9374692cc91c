// Streaming into Slack, the bot beside Bolt's sayStream(): first visible text, and long answers (writes per answer,
// 50 at once under Slack's tiers).
import { type RunOptions, startBot, startFakes, stopAll } from './processes';
import { median, summarize } from './stats';
import type { BenchStore } from './stores';
import { INSTANT, type ModelPacing } from './throughput';
import type { Pacing } from './workload';

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
