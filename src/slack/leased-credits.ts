// Slots of each workspace's Slack allowance this instance has leased through the store, so instances share one budget.
import type { Logger } from '../logger';
import type { CapacityLeases } from '../store/capacity-leases';

/** How long leased slots stay usable here; the store counts them for the rate window plus this. */
export const LEASE_MS = 5_000;
/** After the store granted nothing (or failed), ask again no sooner than this. */
const RETRY_MS = 250;

/** One grant from the store: usable here until `usableUntil`, counted by the store until `heldUntil`. */
interface Batch {
  count: number;
  usableUntil: number;
  heldUntil: number;
  /** Granted by the store (given back when unused); false when the store failed and this instance budgets alone. */
  shared: boolean;
}

interface Credit {
  /** Oldest first; each grant keeps its own expiry, so a new grant never stretches an older one past its hold. */
  batches: Batch[];
  pending: boolean;
  nextAskAt: number;
}

/**
 * Slots leased from the store per workspace and method: a call spends one on hand, and the store is asked for a few
 * more (a tenth of the allowance) while some are still left, so calls rarely wait on it: one round trip per batch.
 * Slots still unused when their lease ends go back to the store, so the other instances can use them within the
 * minute instead of the allowance shrinking by every slot leased and not needed.
 */
export class LeasedCredits {
  private readonly credits = new Map<string, Credit>();
  private warned = false;

  constructor(
    private readonly deps: {
      leases: CapacityLeases;
      now: () => number;
      logger?: Pick<Logger, 'warn'>;
      /** Called when slots arrive, so those waiting for them look again. */
      onGranted(team: string, method: string): void;
    },
  ) {}

  /** Slots on hand now; asks the store for more when running low. */
  onHand(team: string, method: string, limit: number, windowMs: number): number {
    const credit = this.credit(team, method);
    const now = this.deps.now();
    this.expire(team, method, credit, now);
    const count = credit.batches.reduce((sum, batch) => sum + batch.count, 0);
    const want = Math.max(1, Math.ceil(limit / 10));
    if (count * 2 <= want && !credit.pending && credit.nextAskAt <= now) {
      this.ask(team, method, credit, want, limit, windowMs);
    }
    return count;
  }

  /** Spends a slot on hand, from the oldest grant (the caller checked there was one). */
  spend(team: string, method: string): void {
    const batch = this.credit(team, method).batches.find((candidate) => candidate.count > 0);
    if (batch) batch.count--;
  }

  /** Milliseconds until the store may be asked again, when nothing is on hand. */
  retryIn(team: string, method: string): number {
    const credit = this.credit(team, method);
    if (credit.batches.some((batch) => batch.count > 0)) return 0;
    return Math.max(RETRY_MS, credit.nextAskAt - this.deps.now());
  }

  private ask(team: string, method: string, credit: Credit, want: number, limit: number, windowMs: number): void {
    credit.pending = true;
    // Times are taken from before the request: the store's grant is no earlier, so its hold ends no earlier.
    const askedAt = this.deps.now();
    const holdMs = windowMs + LEASE_MS;
    const batch = (count: number, shared: boolean): Batch => ({
      count,
      usableUntil: askedAt + LEASE_MS,
      heldUntil: askedAt + holdMs,
      shared,
    });
    this.deps.leases.takeCapacity(team, method, want, limit, holdMs).then(
      (granted) => this.granted(team, method, credit, batch(granted, true)),
      (error: unknown) => {
        // The store is down: carry on with this instance's own budget rather than stop answering.
        if (!this.warned)
          this.deps.logger?.warn('capacity leases failed; budgeting Slack writes locally', { error: String(error) });
        this.warned = true;
        this.granted(team, method, credit, batch(want, false));
      },
    );
  }

  private granted(team: string, method: string, credit: Credit, batch: Batch): void {
    credit.pending = false;
    if (batch.count > 0) {
      credit.batches.push(batch);
      // Unused slots go back when the lease ends, even if nothing here looks at this workspace again.
      const returnAt = batch.usableUntil - this.deps.now();
      if (batch.shared) setTimeout(() => this.expire(team, method, credit, this.deps.now()), returnAt).unref();
    } else {
      credit.nextAskAt = this.deps.now() + RETRY_MS;
    }
    this.deps.onGranted(team, method);
  }

  /** Drops grants whose lease has ended, giving their unused slots back to the store for what is left of the hold. */
  private expire(team: string, method: string, credit: Credit, now: number): void {
    while (credit.batches.length > 0 && credit.batches[0].usableUntil <= now) {
      const batch = credit.batches.shift() as Batch;
      const left = batch.heldUntil - now;
      if (!batch.shared || batch.count === 0 || left <= 0) continue;
      // Best effort: if the store cannot take them back, they only count a little longer.
      this.deps.leases.returnCapacity(team, method, batch.count, left).catch(() => undefined);
    }
  }

  private credit(team: string, method: string): Credit {
    const id = `${team}\u0000${method}`;
    let credit = this.credits.get(id);
    if (!credit) {
      credit = { batches: [], pending: false, nextAskAt: 0 };
      this.credits.set(id, credit);
    }
    return credit;
  }
}
