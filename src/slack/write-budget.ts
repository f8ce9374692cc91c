// Per-workspace budgets for Slack's write methods, learnt from its 429s, with one timer per window for those waiting.
import type { Logger } from '../logger';
import type { CapacityLeases } from '../store/capacity-leases';
import { BudgetWaiters } from './budget-waiters';
import type { Learning } from './budget-window';
import { LeasedCredits } from './leased-credits';
import { WindowTable } from './window-table';
import { DEFAULT_LEARNING, DEFAULT_WRITE_LIMITS, type MethodLimits, type WriteMethod } from './write-limits';

/** A call counted in its window from `reserve()` on, so it can always be made later. */
export interface Reservation {
  /** Makes the reserved call now: it is recorded at this time. Idempotent. */
  use(): void;
  /** Gives the slot back unused. Idempotent; ignored after `use()`. */
  cancel(): void;
}

/**
 * How hard a workspace presses on its write allowance, for every writer to act on alike:
 * 'calm' (the streaming tier has room: stream, set status lines), 'busy' (no stream slot: post, then one final update;
 * no status lines), 'saturated' (no update slot either: post each answer whole once the model has finished).
 */
export type Pressure = 'calm' | 'busy' | 'saturated';

/** The methods an answer may use first, leased when it starts. */
const PREPARED: WriteMethod[] = ['chat.startStream', 'chat.stopStream', 'chat.postMessage', 'chat.update'];

/**
 * Per-workspace sliding-window budgets for Slack write methods, shared by every reply in the process, so that many
 * answers at once stay under Slack's rate tiers instead of collecting 429s. O(1) amortised; timers only for waiters.
 */
export class WriteBudget {
  private readonly limits: Record<WriteMethod, MethodLimits>;
  private readonly now: () => number;
  private readonly reservationTtlMs: number;
  private readonly windows: WindowTable;
  private readonly waiters: BudgetWaiters;
  private readonly credits: LeasedCredits | undefined;

  /**
   * `limits` override the defaults per method. `reservationTtlMs` (default 15 minutes, well past the ~5 minutes a
   * Slack stream lives) frees a reservation its holder never used or cancelled, so a bug cannot shrink a budget forever.
   */
  constructor(
    options: {
      limits?: Partial<Record<WriteMethod, MethodLimits>>;
      learning?: Partial<Learning>;
      now?: () => number;
      reservationTtlMs?: number;
      /** The store's capacity leases, when instances share the allowance (Redis, PostgreSQL). */
      leases?: CapacityLeases;
      logger?: Pick<Logger, 'warn'>;
    } = {},
  ) {
    this.limits = { ...DEFAULT_WRITE_LIMITS, ...options.limits };
    const now = options.now ?? (() => Date.now());
    this.now = now;
    this.windows = new WindowTable(this.limits, { ...DEFAULT_LEARNING, ...options.learning }, now);
    this.reservationTtlMs = options.reservationTtlMs ?? 15 * 60_000;
    this.waiters = new BudgetWaiters({
      now,
      available: (team, method) => this.available(team, method as WriteMethod),
      nextFreeIn: (team, method) => this.nextFreeIn(team, method as WriteMethod),
    });
    const { leases, logger } = options;
    const onGranted = (team: string, method: string) => this.waiters.poke(team, method);
    this.credits = leases ? new LeasedCredits({ leases, now, logger, onGranted }) : undefined;
  }

  /** Leases slots for a workspace's answer ahead of its first write (no-op without shared leases). */
  prepare(team: string): void {
    for (const method of PREPARED) this.onHand(team, method);
  }

  /** Records a call now if the budget allows it; `key` (e.g. the channel) applies the method's per-key limit too. */
  tryTake(team: string, method: WriteMethod, key?: string): boolean {
    const now = this.now();
    const windows = this.windows.windowsFor(team, method, key);
    if (!windows.every((window) => window.hasRoom(now)) || this.onHand(team, method) === 0) return false;
    for (const window of windows) window.record(now);
    this.credits?.spend(team, method);
    return true;
  }

  /** Holds a slot for a call to be made later (e.g. the stop of a stream being started), or null if none is free. */
  reserve(team: string, method: WriteMethod): Reservation | null {
    const window = this.windows.windowsFor(team, method)[0];
    const now = this.now();
    if (!window.hasRoom(now) || this.onHand(team, method) === 0) return null;
    this.credits?.spend(team, method);
    const hold = window.hold(now + this.reservationTtlMs);
    let done = false;
    return {
      use: () => {
        if (done) return;
        done = true;
        window.release(hold);
        // Recorded even after the hold expired: the call is being made all the same.
        window.record(this.now());
      },
      cancel: () => {
        if (done) return;
        done = true;
        window.release(hold);
        this.waiters.poke(team, method);
      },
    };
  }

  /** How many calls `tryTake` would allow right now (the tighter of the team and key windows). */
  available(team: string, method: WriteMethod, key?: string): number {
    const now = this.now();
    const room = Math.min(...this.windows.windowsFor(team, method, key).map((window) => window.available(now)));
    return room === 0 ? 0 : Math.min(room, this.onHand(team, method));
  }

  /** Milliseconds until `tryTake` could succeed (0 if it would now); the window length while reservations block it. */
  nextFreeIn(team: string, method: WriteMethod, key?: string): number {
    const now = this.now();
    const free = Math.max(...this.windows.windowsFor(team, method, key).map((window) => window.freeIn(now)));
    return this.credits ? Math.max(free, this.credits.retryIn(team, method)) : free;
  }

  /**
   * Slack answered 429: no call of `method` in `team` (in channel `key`, for a per-channel limit) for `retryAfterMs`,
   * and the workspace allowance shrinks below what was in use. Other methods are not held back.
   */
  penalize(team: string, method: WriteMethod, retryAfterMs: number, key?: string): void {
    const now = this.now();
    const windows = this.windows.windowsFor(team, method, key);
    const perKey = windows.length > 1;
    if (perKey) windows[1].penalize(now, retryAfterMs, false);
    else windows[0].penalize(now, retryAfterMs, true);
    this.waiters.poke(team, method);
  }

  /** The workspace's pressure now; the same answer for the reply streamer and the side writes. */
  pressure(team: string): Pressure {
    if (this.available(team, 'chat.startStream') > 0 && this.available(team, 'chat.stopStream') > 0) return 'calm';
    return this.available(team, 'chat.update') > 0 ? 'busy' : 'saturated';
  }

  /**
   * Calls `wake` once `method` may have room in `team` (and `key`): one timer per workspace and method, however many
   * wait; those waiting are woken in order, as many as there are free slots. A woken caller must try again.
   */
  whenFree(team: string, method: WriteMethod, wake: () => void, key?: string): void {
    this.waiters.add(team, method, wake, this.nextFreeIn(team, method, key));
  }

  /** Takes back a `whenFree` wait that is no longer needed (its caller finished some other way). */
  cancelWait(team: string, method: WriteMethod, wake: () => void): void {
    this.waiters.remove(team, method, wake);
  }

  /** Callers waiting in `whenFree`, for every workspace and method. */
  waiting(): number {
    return this.waiters.count();
  }

  /** Slots leased for this instance (unbounded without shared leases). */
  private onHand(team: string, method: WriteMethod): number {
    if (!this.credits) return Number.POSITIVE_INFINITY;
    const { team: rate } = this.limits[method];
    const limit = this.windows.windowsFor(team, method)[0].limit(this.now());
    return this.credits.onHand(team, method, limit, rate.windowMs);
  }
}
