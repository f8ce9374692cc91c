/** Lets long indexing work share the event loop with answers in progress. */
import { performance } from 'node:perf_hooks';

/** Work slices are kept well under the 50 ms the event loop may be held. */
const SLICE_MS = 12;

/** Call `maybeYield()` between small units of work: it yields to pending I/O once a slice has been used up. */
export class Yielder {
  private sliceStart = performance.now();

  async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}
