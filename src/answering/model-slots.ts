/** A process-wide cap on concurrent model calls: the rest wait their turn, first come first served. */

/** Runs model calls, at most `limit` at a time; later ones queue in arrival order and are all run. */
export class ModelSlots {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Waits for a free slot (or until `signal` aborts: then runs at once, so the caller can wind down), runs `work`. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.limit && !signal?.aborted) await this.wait(signal);
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  /** Calls waiting for a slot. */
  waiting(): number {
    return this.queue.length;
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.queue.indexOf(go);
        if (at >= 0) this.queue.splice(at, 1);
        go();
      };
      this.queue.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
