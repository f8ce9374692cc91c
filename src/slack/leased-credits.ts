// Slots of each workspace's Slack allowance this instance has leased through the store, so instances share one budget.
import type { Logger } from '../logger';
import type { CapacityLeases } from '../store/capacity-leases';

/** How long leased slots stay usable here; the store counts them for the rate window plus this. */
export const LEASE_MS = 5_000;
/** After the store granted nothing (or failed), ask again no sooner than this. */
const RETRY_MS = 250;

interface Credit {
  count: number;
  expiresAt: number;
  pending: boolean;
  nextAskAt: number;
}

/**
 * Slots leased from the store per workspace and method: a call spends one on hand, and the store is asked for a few
 * more (a tenth of the allowance) while some are still left, so calls rarely wait on it: one round trip per batch.
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
    if (credit.expiresAt <= now) credit.count = 0;
    const want = Math.max(1, Math.ceil(limit / 10));
    if (credit.count * 2 <= want && !credit.pending && credit.nextAskAt <= now) {
      this.ask(team, method, credit, want, limit, windowMs);
    }
    return credit.count;
  }

  /** Spends a slot on hand (the caller checked there was one). */
  spend(team: string, method: string): void {
    const credit = this.credit(team, method);
    credit.count = Math.max(0, credit.count - 1);
  }

  /** Milliseconds until the store may be asked again, when nothing is on hand. */
  retryIn(team: string, method: string): number {
    const credit = this.credit(team, method);
    return credit.count > 0 ? 0 : Math.max(RETRY_MS, credit.nextAskAt - this.deps.now());
  }

  private ask(team: string, method: string, credit: Credit, want: number, limit: number, windowMs: number): void {
    credit.pending = true;
    this.deps.leases.takeCapacity(team, method, want, limit, windowMs + LEASE_MS).then(
      (granted) => this.granted(team, method, credit, granted),
      (error: unknown) => {
        // The store is down: carry on with this instance's own budget rather than stop answering.
        if (!this.warned)
          this.deps.logger?.warn('capacity leases failed; budgeting Slack writes locally', { error: String(error) });
        this.warned = true;
        this.granted(team, method, credit, want);
      },
    );
  }

  private granted(team: string, method: string, credit: Credit, granted: number): void {
    const now = this.deps.now();
    credit.pending = false;
    if (credit.expiresAt <= now) credit.count = 0;
    if (granted > 0) {
      credit.count += granted;
      credit.expiresAt = now + LEASE_MS;
    } else {
      credit.nextAskAt = now + RETRY_MS;
    }
    this.deps.onGranted(team, method);
  }

  private credit(team: string, method: string): Credit {
    const id = `${team}\u0000${method}`;
    let credit = this.credits.get(id);
    if (!credit) {
      credit = { count: 0, expiresAt: 0, pending: false, nextAskAt: 0 };
      this.credits.set(id, credit);
    }
    return credit;
  }
}
