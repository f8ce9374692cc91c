/** Time limits for the steps of an answer: none may wait for ever on a store, Slack or the model. */

/** A step did not finish in the time it was given. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Resolves like `work`, or rejects with a DeadlineError naming `what` once `ms` have passed. */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} took longer than ${ms} ms`)), Math.max(0, ms));
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** An AbortSignal that aborts when `parent` does or after `ms`, whichever comes first; `clear` stops the timer. */
export function deadlineSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason);
  if (parent.aborted) abort();
  else parent.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => controller.abort(new DeadlineError(`took longer than ${ms} ms`)), ms);
  timer.unref();
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', abort);
    },
  };
}
