// Under a burst, events arrive in one socket read and the bot claims them all in the same tick: committing those
// claims together costs one write (one WAL append, one round trip) instead of one per claim.

type Queued<Request, Result> = { request: Request; resolve(result: Result): void; reject(error: unknown): void };

/**
 * Wraps `commit` so that the calls made before the batch is flushed go to it as one batch. Each call settles with its
 * own result (commit returns one per request, in order), only once commit has returned; if the commit fails, every
 * call in the batch fails with it, as each would have failed alone. `schedule` decides when the batch is flushed:
 * by default at the end of the current tick (a microtask), so that only calls made in the same tick join.
 */
export function batchPerTick<Request, Result>(
  commit: (batch: Request[]) => Promise<Result[]>,
  schedule: (flush: () => void) => void = queueMicrotask,
): (request: Request) => Promise<Result> {
  let queued: Queued<Request, Result>[] = [];
  const flush = async () => {
    const batch = queued;
    queued = [];
    try {
      const results = await commit(batch.map((entry) => entry.request));
      for (const [n, entry] of batch.entries()) entry.resolve(results[n] as Result);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  };
  return (request) =>
    new Promise<Result>((resolve, reject) => {
      if (queued.push({ request, resolve, reject }) === 1) schedule(() => void flush());
    });
}
