/** Bounds how many file downloads run at once, so a burst of attachments cannot exhaust memory or sockets. */

/** A counting semaphore with a FIFO queue. */
export class DownloadSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('DownloadSlots size must be a whole number ≥ 1');
  }

  /** Runs `task` once a slot is free; the slot is given back however the task ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Downloads running now (for tests and the bench). */
  get running(): number {
    return this.active;
  }

  private acquire(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so the count never dips and overshoots.
    if (next) next();
    else this.active--;
  }
}

/**
 * Bytes of image data the process may hold at once, across questions. Image bytes live from the download until the
 * model request is sent (as a data: URL, then again inside the request body), so it is the number of image-bearing
 * requests in flight that decides peak memory; this budget bounds it. Callers wait their turn rather than fail.
 */
export class ByteBudget {
  private available: number;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly total: number) {
    this.available = total;
  }

  /**
   * Reserves `bytes` (at most the whole budget); resolves with the function that gives them back (idempotent), or
   * with undefined when `signal` aborts first.
   */
  async reserve(bytes: number, signal: AbortSignal): Promise<(() => void) | undefined> {
    const amount = Math.min(Math.max(0, Math.ceil(bytes)), this.total);
    if (this.waiting.length === 0 && amount <= this.available) {
      this.available -= amount;
      return this.releaser(amount);
    }
    return new Promise((resolve) => {
      const entry = { bytes: amount, grant: () => resolve(this.releaser(amount)) };
      this.waiting.push(entry);
      signal.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          resolve(undefined);
          this.grantWaiting();
        },
        { once: true },
      );
    });
  }

  /** Bytes not reserved now. */
  get free(): number {
    return this.available;
  }

  private releaser(amount: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.available += amount;
      this.grantWaiting();
    };
  }

  // First come, first served: a large reservation at the head is not starved by small ones behind it.
  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.waiting[0].bytes <= this.available) {
      const next = this.waiting.shift() as { bytes: number; grant: () => void };
      this.available -= next.bytes;
      next.grant();
    }
  }
}
