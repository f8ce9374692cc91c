// The bot's RSS holding 10,000 stored threads, between questions and after a run of follow-ups.
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunOptions, startBot, startFakes, stopAll } from './processes';
import type { BenchStore } from './stores';
import { INSTANT } from './throughput';

/** V8's young generation grows to 128 MB under load by default; capped, the bot's RSS stays far lower. */
export const SMALL_YOUNG_GENERATION = ['--max-semi-space-size=16'];

/**
 * V8's memory reducer gives memory back ~8 s after allocation stops (on Node 24, with the bot's nudge:
 * src/ops/memory-reducer-nudge.ts); 15 s leaves it time to have run.
 */
const SETTLE_MS = 15_000;

/**
 * RSS after start; with 10,000 stored threads (the bot idle); and after 500 follow-up questions answered in 500 of
 * those threads, 20 at a time (history loaded and trimmed, and V8's young generation grown by the allocation rate).
 */
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

export type MemoryResult = Awaited<ReturnType<typeof memoryFootprint>>;
