import { Script } from 'node:vm';

/**
 * How often the nudge runs. V8 keeps the allocation rate it reads as a decaying average that reaches exactly 0 again
 * some 100 s after the last allocation it counts; 30 s stays well inside that (and is the interval seen to work).
 */
export const NUDGE_EVERY_MS = 30_000;

/**
 * Lets V8 give memory back once the bot goes quiet after a burst of questions.
 *
 * V8's memory reducer shrinks the heap (the young generation a burst grew, ~25 MB here) once it judges the allocation
 * rate low. Under Node 24 (V8 13.6) it judges it high for as long as nothing was allocated on V8's C++ heap lately:
 * that rate reads exactly 0, which it takes for the highest (V8 issue 570738027, nodejs/node#66564). It then shrinks
 * the heap only through its 100 s watchdog, which every regular major GC postpones, so a bot that is never quite
 * idle may not give the memory back at all. Compiling a `vm.Script` allocates on that heap: a trivial one now and
 * every 30 s (microseconds each) keeps the rate above 0. Returns a function that stops it.
 */
export function nudgeMemoryReducer(): () => void {
  const nudge = () => new Script('0');
  nudge();
  const timer = setInterval(nudge, NUDGE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
