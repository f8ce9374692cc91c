/** The Slack write methods the budget counts: the reply streamer's, and the side writes (status lines, deletions). */
export type WriteMethod =
  | 'chat.startStream'
  | 'chat.appendStream'
  | 'chat.stopStream'
  | 'chat.postMessage'
  | 'chat.update'
  | 'chat.delete'
  | 'assistant.threads.setStatus'
  | 'reactions.add'
  | 'chat.postEphemeral'
  | 'views.publish';

/** At most `limit` calls in any `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** A method's limits: per workspace, and optionally per key within it (e.g. per channel). */
export interface MethodLimits {
  team: RateLimit;
  perKey?: RateLimit;
}

/** A call counted in its window from `reserve()` on, so it can always be made later. */
export interface Reservation {
  /** Makes the reserved call now: it is recorded at this time. Idempotent. */
  use(): void;
  /** Gives the slot back unused. Idempotent; ignored after `use()`. */
  cancel(): void;
}

const MINUTE = 60_000;

/**
 * A little under Slack's tiers (startStream/stopStream Tier 2 ≈ 20, appendStream Tier 4 ≈ 100, update, delete and
 * setStatus Tier 3 ≈ 50).
 */
export const DEFAULT_WRITE_LIMITS: Record<WriteMethod, MethodLimits> = {
  'chat.startStream': { team: { limit: 18, windowMs: MINUTE } },
  'chat.stopStream': { team: { limit: 18, windowMs: MINUTE } },
  'chat.appendStream': { team: { limit: 90, windowMs: MINUTE } },
  'chat.update': { team: { limit: 45, windowMs: MINUTE } },
  'chat.delete': { team: { limit: 45, windowMs: MINUTE } },
  'assistant.threads.setStatus': { team: { limit: 45, windowMs: MINUTE } },
  // The support desk's writes: reactions Tier 3, ephemeral messages and Home tabs Tier 4.
  'reactions.add': { team: { limit: 45, windowMs: MINUTE } },
  'chat.postEphemeral': { team: { limit: 90, windowMs: MINUTE } },
  'views.publish': { team: { limit: 90, windowMs: MINUTE } },
  // Slack: about one per second per channel, with a workspace-wide cap of a few hundred per minute.
  'chat.postMessage': { team: { limit: 150, windowMs: MINUTE }, perKey: { limit: 1, windowMs: 1_000 } },
};

interface Hold {
  expiresAt: number;
  open: boolean;
}

/** A FIFO queue with a moving head: O(1) amortised push and shift. */
class Queue<T> {
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

  shiftWhile(test: (item: T) => boolean): void {
    while (this.head < this.items.length && test(this.items[this.head])) this.head++;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Call times within the last window, plus reservations not yet used, cancelled or expired. */
class Window {
  private readonly times = new Queue<number>();
  // In creation order, so with one TTL they expire from the head; released ones wait there to be dropped.
  private readonly holds = new Queue<Hold>();
  private reserved = 0;

  constructor(private readonly rate: RateLimit) {}

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
    return this.used(now) < this.rate.limit;
  }

  record(now: number): void {
    // Kept sorted even if the clock steps back, so pruning from the head stays correct.
    this.times.push(Math.max(now, this.times.last() ?? now));
  }

  freeIn(now: number): number {
    const excess = this.used(now) - this.rate.limit + 1;
    if (excess <= 0) return 0;
    // Only reservations hold the window: nothing frees until they are used or cancelled.
    if (excess > this.times.size) return this.rate.windowMs;
    return Math.max(0, this.times.at(excess - 1) + this.rate.windowMs - now);
  }

  idle(now: number): boolean {
    return this.used(now) === 0;
  }
}

/**
 * Per-workspace sliding-window budgets for Slack write methods, shared by every reply in the process, so that many
 * answers streaming at once stay under Slack's rate tiers instead of collecting 429s. No timers; O(1) amortised.
 */
export class WriteBudget {
  private readonly limits: Record<WriteMethod, MethodLimits>;
  private readonly now: () => number;
  private readonly reservationTtlMs: number;
  private readonly windows = new Map<string, Window>();
  private operations = 0;

  /**
   * `limits` override the defaults per method. `reservationTtlMs` (default 15 minutes, well past the ~5 minutes a
   * Slack stream lives) frees a reservation its holder never used or cancelled, so a bug cannot shrink a budget forever.
   */
  constructor(
    options: {
      limits?: Partial<Record<WriteMethod, MethodLimits>>;
      now?: () => number;
      reservationTtlMs?: number;
    } = {},
  ) {
    this.limits = { ...DEFAULT_WRITE_LIMITS, ...options.limits };
    this.now = options.now ?? (() => Date.now());
    this.reservationTtlMs = options.reservationTtlMs ?? 15 * MINUTE;
  }

  /** Records a call now if the budget allows it; `key` (e.g. the channel) applies the method's per-key limit too. */
  tryTake(team: string, method: WriteMethod, key?: string): boolean {
    const now = this.now();
    const windows = this.windowsFor(team, method, key);
    if (!windows.every((window) => window.hasRoom(now))) return false;
    for (const window of windows) window.record(now);
    return true;
  }

  /** Holds a slot for a call to be made later (e.g. the stop of a stream being started), or null if none is free. */
  reserve(team: string, method: WriteMethod): Reservation | null {
    const window = this.windowsFor(team, method)[0];
    const now = this.now();
    if (!window.hasRoom(now)) return null;
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
        done = true;
        window.release(hold);
      },
    };
  }

  /** How many calls `tryTake` would allow right now (the tighter of the team and key windows). */
  available(team: string, method: WriteMethod, key?: string): number {
    const now = this.now();
    const limits = this.limits[method];
    const windows = this.windowsFor(team, method, key);
    const rates = [limits.team, ...(windows.length > 1 && limits.perKey ? [limits.perKey] : [])];
    return Math.max(0, Math.min(...windows.map((window, n) => rates[n].limit - window.used(now))));
  }

  /** Milliseconds until `tryTake` could succeed (0 if it would now); the window length while reservations block it. */
  nextFreeIn(team: string, method: WriteMethod, key?: string): number {
    const now = this.now();
    return Math.max(...this.windowsFor(team, method, key).map((window) => window.freeIn(now)));
  }

  private windowsFor(team: string, method: WriteMethod, key?: string): Window[] {
    this.sweep();
    const limits = this.limits[method];
    const windows = [this.window(`${team}\u0000${method}`, limits.team)];
    if (key !== undefined && limits.perKey)
      windows.push(this.window(`${team}\u0000${method}\u0000${key}`, limits.perKey));
    return windows;
  }

  private window(id: string, rate: RateLimit): Window {
    let window = this.windows.get(id);
    if (!window) {
      window = new Window(rate);
      this.windows.set(id, window);
    }
    return window;
  }

  // Forgets idle windows (teams and channels gone quiet) every so often; amortised O(1) per operation.
  private sweep(): void {
    if (++this.operations < Math.max(1_024, this.windows.size)) return;
    this.operations = 0;
    const now = this.now();
    for (const [id, window] of this.windows) if (window.idle(now)) this.windows.delete(id);
  }
}
