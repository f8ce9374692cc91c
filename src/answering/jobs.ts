/** The work under way in this instance (answers, refusals, notices), and how it stops at shutdown. */

/** Time left at the end of the shutdown window for aborted answers to post their cut-short note. */
const ABORT_ROOM_MS = 2_000;

/** Runs background work with a shared shutdown signal, and waits for it on shutdown. */
export class Jobs {
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();

  /** Starts `work` (which must not reject) with the signal that aborts at the shutdown deadline. */
  run(work: (signal: AbortSignal) => Promise<void>): void {
    const job = work(this.shutdown.signal);
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  /** How many are running. */
  size(): number {
    return this.running.size;
  }

  /**
   * Waits for the work under way, up to `timeoutMs`. What is still running a little before the deadline is aborted,
   * so answers end with the cut-short note rather than mid-sentence; returns how many were still running at the end.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    await this.settle(deadline - Math.min(ABORT_ROOM_MS, timeoutMs / 2));
    if (this.running.size > 0) this.shutdown.abort(new Error('shutting down'));
    await this.settle(deadline);
    return this.running.size;
  }

  private async settle(until: number): Promise<void> {
    while (this.running.size > 0 && Date.now() < until) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, until - Date.now());
      });
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
  }
}
