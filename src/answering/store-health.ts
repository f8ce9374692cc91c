/** Whether the shared store is down, or only slow: judged from the calls that must not go ahead on a guess. */

/** The store is down once it has answered none of these calls for this long while one kept failing. */
export const STORE_DOWN_AFTER_MS = 10_000;

/**
 * A slow store (a timeout under load, a connection pool waiting) is asked again: another instance may be reaching
 * it, and a question answered or started on a guess there may be answered twice. Only a store that answers no claim
 * or lease for `downAfterMs` is down; then, until it answers again, claims and thread leases fall back to this
 * process alone, so that questions are still answered during an outage.
 */
export class StoreHealth {
  private lastAnswer = Date.now();
  private down = false;

  constructor(private readonly downAfterMs = STORE_DOWN_AFTER_MS) {}

  /** A call the store answered: it is up, if slow. */
  answered(): void {
    this.lastAnswer = Date.now();
    this.down = false;
  }

  /** A call that began at `since` failed: true once the store counts as down (and until it answers again). */
  failed(since: number): boolean {
    if (Date.now() - Math.max(since, this.lastAnswer) >= this.downAfterMs) this.down = true;
    return this.down;
  }
}
