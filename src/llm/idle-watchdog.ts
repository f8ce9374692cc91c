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
   * The source's items through `map`, counting only the time spent waiting for each one. A plain iterator rather
   * than async generators: it is on the path of every model delta (500 for a long answer), where each generator
   * layer's own promises and turns cost about half as much again as the SDK's iteration itself. A `map` that throws
   * closes the source, as leaving a `for await` would.
   */
  watch<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncIterableIterator<U, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    const close = async (): Promise<IteratorResult<U, void>> => {
      this.#waiting = false;
      await iterator.return?.();
      return { done: true, value: undefined };
    };
    const arrived = (next: IteratorResult<T, unknown>): IteratorResult<U, void> | Promise<IteratorResult<U, void>> => {
      this.#waiting = false;
      if (next.done) return { done: true, value: undefined };
      try {
        return { done: false, value: map(next.value) };
      } catch (error) {
        return close().then(() => Promise.reject(error));
      }
    };
    const stopped = (error: unknown) => {
      this.#waiting = false;
      throw error;
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        this.#startWaiting();
        return iterator.next().then(arrived, stopped);
      },
      return: close,
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
