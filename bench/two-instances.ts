import { type Bot, type RunOptions, startBot, startFakes } from './processes';
import { percentile, type Summary, summarize } from './stats';
import type { BenchStore } from './stores';
import type { ModelPacing } from './throughput';

// Two instances of the bot on one shared store (Redis or PostgreSQL) answering one workspace, Slack's tiers on:
// together they must stay inside the one allowance the workspace has.

/** Answers of 2,000 characters over ~5 s of model time, so that answers overlap and streams fill the tier. */
const LONG = { chars: 2_000, tokensPerSecond: 100 };
const SLOW_ANSWER_MS = 30_000;

export interface TwoInstancesResult {
  store: string;
  /** 50 questions at once, answers streaming between the two instances. */
  together: { sent: number; answered: number; http429: number; lastMs: number };
  /** 20 conversations of 5 questions, each asked when the previous answer is complete. */
  threads: { expected: number; answered: number; http429: number; complete: Summary; p90: number; late: number };
}

export async function twoInstances(
  store: BenchStore,
  options: RunOptions,
  pacing: ModelPacing,
): Promise<TwoInstancesResult> {
  const fakes = await startFakes('tiers');
  const bots: Bot[] = [];
  try {
    // One URL for both: a store's url() names a fresh prefix or schema on every call.
    const storeUrl = store.url();
    for (const [i, label] of ['a', 'b'].entries()) {
      bots.push(await startBot(fakes, options, { storeUrl, label: `bot-two-${label}`, connections: i + 1 }));
    }
    const long = { ...LONG, ttftMs: pacing.ttftMs };
    const together = await fakes.call.together({
      count: 50,
      pacing: long,
      teams: { team: 'TTWO50' },
      timeoutMs: 120_000,
    });
    await fakes.call.clearRateWindows();
    const threads = await fakes.call.conversations({
      threads: 20,
      turns: 5,
      pacing: long,
      team: 'TTWOTHREADS',
      timeoutMs: 60_000,
    });
    return {
      store: store.name,
      together: {
        sent: together.sent,
        answered: together.answered,
        http429: together.http429,
        lastMs: together.lastMs,
      },
      threads: {
        expected: threads.expected,
        answered: threads.answered,
        http429: threads.http429,
        complete: summarize(threads.completeMs),
        p90: percentile(threads.completeMs, 0.9),
        late: threads.completeMs.filter((ms) => ms > SLOW_ANSWER_MS).length + threads.expected - threads.answered,
      },
    };
  } finally {
    for (const bot of bots) await bot.call.stop().catch(() => undefined);
    await Promise.all(bots.map((bot) => bot.exited));
    await fakes.call.close().catch(() => undefined);
    await fakes.exited;
  }
}
