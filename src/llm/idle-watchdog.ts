/**
 * Aborts a streaming request that goes quiet. The SDK's own timeout stops at the response headers, so a stream
 * that stalls afterwards would hang forever. Only time spent waiting on the network counts: while the consumer
 * handles an event (e.g. a slow Slack write) the countdown is paused.
 */
export class IdleWatchdog {
  /** Aborts when the caller's signal does, or when the stream has been idle for too long. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #idleMs: number;
  readonly #callerSignal: AbortSignal;
  #timer: NodeJS.Timeout | undefined;
  #waiting = false;
  #fired = false;
  #disposed = false;

  constructor(idleMs: number, callerSignal: AbortSignal) {
    this.#idleMs = idleMs;
    this.#callerSignal = callerSignal;
    // One plain signal that the caller's aborts too: cheaper per stream event than a composite AbortSignal.any().
    this.signal = this.#controller.signal;
    if (callerSignal.aborted) this.#controller.abort(callerSignal.reason);
    else callerSignal.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** True once the watchdog has aborted the request. */
  get fired(): boolean {
    return this.#fired;
  }

  /** Yields the source's items, counting only the time spent waiting for each one. */
  async *watch<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    try {
      while (true) {
        this.#startWaiting();
        const next = await iterator.next();
        this.#waiting = false;
        if (next.done) return;
        yield next.value;
      }
    } finally {
      this.#waiting = false;
      await iterator.return?.();
    }
  }

  /** Clears the timer; call once the stream is over, whatever the outcome. */
  dispose(): void {
    this.#disposed = true;
    this.#callerSignal.removeEventListener('abort', this.#onCallerAbort);
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #startWaiting(): void {
    if (this.#disposed) return;
    this.#waiting = true;
    // refresh() reuses one timer per stream (also after it fired while paused) instead of one per event.
    if (this.#timer) this.#timer.refresh();
    else this.#timer = setTimeout(this.#onIdle, this.#idleMs);
  }

  readonly #onCallerAbort = (): void => {
    this.#controller.abort(this.#callerSignal.reason);
  };

  readonly #onIdle = (): void => {
    if (!this.#waiting || this.#disposed) return;
    this.#fired = true;
    this.#controller.abort(new Error(`No stream event for ${this.#idleMs} ms`));
  };
}
