import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` every `everyMs` until it holds; the bound only ends a test that fails. */
export async function until(condition: () => boolean, boundMs = 10_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await sleep(everyMs);
  }
}
