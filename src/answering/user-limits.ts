/** Per-person limits: questions in flight and questions a minute, so one person cannot stall everyone. */

const MINUTE = 60_000;

/** What a person may have going at once. */
export interface UserLimitOptions {
  /** Questions of one person being answered (or waiting) at once in this instance. */
  maxInFlight: number;
  /** Questions of one person taken in any minute. */
  maxPerMinute: number;
  now?: () => number;
}

/** Whether a question may go ahead; `notify` is true for the first refusal of a spell, so the person is told once. */
export type LimitVerdict = { ok: true; release: () => void } | { ok: false; notify: boolean };

/** Counts each person's questions; people gone quiet are forgotten (swept every 1,024 questions). */
export class UserLimits {
  private readonly users = new Map<string, { inFlight: number; times: number[]; toldUntil: number }>();
  private readonly now: () => number;
  private takes = 0;

  constructor(private readonly options: UserLimitOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Takes a place for one question of `user`, or says why not. */
  take(user: string): LimitVerdict {
    const now = this.now();
    if (++this.takes % 1_024 === 0) for (const [id, idle] of this.users) this.forgetIdle(id, idle);
    const entry = this.users.get(user) ?? { inFlight: 0, times: [], toldUntil: 0 };
    entry.times = entry.times.filter((time) => time > now - MINUTE);
    this.users.set(user, entry);
    if (entry.inFlight >= this.options.maxInFlight || entry.times.length >= this.options.maxPerMinute) {
      const notify = entry.toldUntil <= now;
      if (notify) entry.toldUntil = now + MINUTE;
      return { ok: false, notify };
    }
    entry.inFlight++;
    entry.times.push(now);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        this.forgetIdle(user, entry);
      },
    };
  }

  private forgetIdle(user: string, entry: { inFlight: number; times: number[]; toldUntil: number }): void {
    const now = this.now();
    if (entry.inFlight === 0 && entry.toldUntil <= now && entry.times.every((time) => time <= now - MINUTE)) {
      this.users.delete(user);
    }
  }
}
