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

  /**
   * Yields the source's items, counting only the time spent waiting for each one. A plain iterator rather than an
   * async generator: it is on the path of every model delta (500 for a long answer), and a generator's own promises
   * and turns cost about half as much again as the SDK's iteration itself.
   */
  watch<T>(source: AsyncIterable<T>): AsyncIterableIterator<T, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    const arrived = (next: IteratorResult<T, void>) => {
      this.#waiting = false;
      return next;
    };
    const stopped = (error: unknown) => {
      this.#waiting = false;
      throw error;
    };
    const finish = async (): Promise<IteratorResult<T, void>> => {
      this.#waiting = false;
      await iterator.return?.();
      return { done: true, value: undefined };
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        this.#startWaiting();
        return iterator.next().then(arrived, stopped);
      },
      return: finish,
    };
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
