/** One sliding window of a write budget: call times, reservations, and an allowance learnt from Slack's 429s. */

/** At most `limit` calls in any `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** How an allowance learns: shrink on a 429, grow back after a quiet spell, never past its ceiling. */
export interface Learning {
  /** The most a long run without 429s may grow an allowance to, as a multiple of its starting limit. */
  ceilingFactor: number;
  /** Time without a 429 after which an allowance grows by a tenth of its starting limit. */
  growAfterMs: number;
}

export interface Hold {
  expiresAt: number;
  open: boolean;
}

/** A FIFO queue with a moving head: O(1) amortised push and shift. */
export class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  at(offset: number): T {
    return this.items[this.head + offset];
  }

  last(): T | undefined {
    return this.size > 0 ? this.items[this.items.length - 1] : undefined;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head++];
    this.compact();
    return item;
  }

  shiftWhile(test: (item: T) => boolean): void {
    while (this.head < this.items.length && test(this.items[this.head])) this.head++;
    this.compact();
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Call times within the last window, reservations not yet used, cancelled or expired, and the learnt limit. */
export class Window {
  private readonly times = new Queue<number>();
  // In creation order, so with one TTL they expire from the head; released ones wait there to be dropped.
  private readonly holds = new Queue<Hold>();
  private reserved = 0;
  /** The allowance now: the starting limit, less after 429s, more after long quiet spells. */
  private allowance: number;
  /** Slack's Retry-After: no call of this method (here) before then. */
  private blockedUntil = 0;
  /** When the allowance last changed (or was confirmed by a quiet spell). */
  private steadySince: number;

  constructor(
    readonly rate: RateLimit,
    private readonly learning: Learning | undefined,
    now: number,
  ) {
    this.allowance = rate.limit;
    this.steadySince = now;
  }

  /** The number of calls allowed per window now. */
  limit(now: number): number {
    if (!this.learning) return this.allowance;
    const quiet = now - this.steadySince;
    if (quiet >= this.learning.growAfterMs) {
      const steps = Math.floor(quiet / this.learning.growAfterMs);
      const step = Math.max(1, Math.round(this.rate.limit / 10));
      const ceiling = Math.max(this.rate.limit, Math.floor(this.rate.limit * this.learning.ceilingFactor));
      this.allowance = Math.min(ceiling, this.allowance + steps * step);
      this.steadySince += steps * this.learning.growAfterMs;
    }
    return this.allowance;
  }

  /**
   * Slack said 429: wait `retryAfterMs` and, when `shrink`, allow a fifth less than what was in use (someone else
   * spends the rest: another instance, another app of the same token), but never less than half at once.
   */
  penalize(now: number, retryAfterMs: number, shrink: boolean): void {
    this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
    if (!shrink) return;
    const limit = this.limit(now);
    const inUse = Math.floor(Math.min(limit, this.used(now)) * 0.8);
    this.allowance = Math.max(1, Math.floor(limit / 2), inUse);
    this.steadySince = now;
  }

  blockedFor(now: number): number {
    return Math.max(0, this.blockedUntil - now);
  }

  private prune(now: number): void {
    const cutoff = now - this.rate.windowMs;
    this.times.shiftWhile((time) => time <= cutoff);
    this.holds.shiftWhile((hold) => {
      if (hold.open && hold.expiresAt > now) return false;
      if (hold.open) this.release(hold);
      return true;
    });
  }

  used(now: number): number {
    this.prune(now);
    return this.times.size + this.reserved;
  }

  /** Calls that could be made now. */
  available(now: number): number {
    if (this.blockedFor(now) > 0) return 0;
    return Math.max(0, this.limit(now) - this.used(now));
  }

  hold(expiresAt: number): Hold {
    const hold = { expiresAt, open: true };
    this.holds.push(hold);
    this.reserved++;
    return hold;
  }

  /** Ends a hold, if it has not ended already (used, cancelled or expired). */
  release(hold: Hold): void {
    if (!hold.open) return;
    hold.open = false;
    this.reserved--;
  }

  hasRoom(now: number): boolean {
    return this.available(now) > 0;
  }

  record(now: number): void {
    // Kept sorted even if the clock steps back, so pruning from the head stays correct.
    this.times.push(Math.max(now, this.times.last() ?? now));
  }

  freeIn(now: number): number {
    const blocked = this.blockedFor(now);
    const excess = this.used(now) - this.limit(now) + 1;
    if (excess <= 0) return blocked;
    // Only reservations hold the window: nothing frees until they are used or cancelled.
    if (excess > this.times.size) return Math.max(blocked, this.rate.windowMs);
    return Math.max(blocked, this.times.at(excess - 1) + this.rate.windowMs - now);
  }

  idle(now: number): boolean {
    return this.used(now) === 0 && this.blockedFor(now) === 0 && this.limit(now) === this.rate.limit;
  }
}
