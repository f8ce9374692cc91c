// Those waiting for a write slot: one timer per workspace and method, however many wait, waking them in order.

/** Shortest timer, so a window that frees in 0 ms cannot spin. */
const MIN_WAKE_MS = 10;

interface Waiters {
  queue: Array<() => void>;
  timer?: NodeJS.Timeout;
  dueAt: number;
}

/** What the waiters look at: the budget's room for a method in a workspace. */
export interface Room {
  available(team: string, method: string): number;
  nextFreeIn(team: string, method: string): number;
  now(): number;
}

/** Waiting lines per workspace and method; waiting costs nothing per millisecond, only a timer per line. */
export class BudgetWaiters {
  private readonly lines = new Map<string, Waiters>();

  constructor(private readonly room: Room) {}

  /** Queues `wake`, to be called once the method may have room again, in `inMs` at the earliest. */
  add(team: string, method: string, wake: () => void, inMs: number): void {
    const id = `${team}\u0000${method}`;
    let line = this.lines.get(id);
    if (!line) {
      line = { queue: [], dueAt: Number.POSITIVE_INFINITY };
      this.lines.set(id, line);
    }
    line.queue.push(wake);
    this.schedule(id, team, method, line, inMs);
  }

  /** Takes a wait back (its caller finished some other way). */
  remove(team: string, method: string, wake: () => void): void {
    const id = `${team}\u0000${method}`;
    const line = this.lines.get(id);
    const at = line?.queue.indexOf(wake) ?? -1;
    if (!line || at < 0) return;
    line.queue.splice(at, 1);
    if (line.queue.length > 0) return;
    if (line.timer) clearTimeout(line.timer);
    this.lines.delete(id);
  }

  /** Room may have changed (a slot given back, slots leased, a penalty set): look at the line again soon. */
  poke(team: string, method: string): void {
    const id = `${team}\u0000${method}`;
    const line = this.lines.get(id);
    if (line) this.schedule(id, team, method, line, this.room.nextFreeIn(team, method));
  }

  count(): number {
    let count = 0;
    for (const line of this.lines.values()) count += line.queue.length;
    return count;
  }

  private schedule(id: string, team: string, method: string, line: Waiters, inMs: number): void {
    const delay = Math.max(MIN_WAKE_MS, inMs);
    const dueAt = this.room.now() + delay;
    if (line.timer && line.dueAt <= dueAt) return;
    if (line.timer) clearTimeout(line.timer);
    line.dueAt = dueAt;
    line.timer = setTimeout(() => this.wake(id, team, method, line), delay);
    line.timer.unref();
  }

  private wake(id: string, team: string, method: string, line: Waiters): void {
    line.timer = undefined;
    line.dueAt = Number.POSITIVE_INFINITY;
    // Only those already waiting: a woken caller that finds no room waits again, behind the others.
    let turns = line.queue.length;
    while (turns-- > 0 && line.queue.length > 0 && this.room.available(team, method) > 0) line.queue.shift()?.();
    if (line.queue.length === 0) {
      if (!line.timer) this.lines.delete(id);
      return;
    }
    this.schedule(id, team, method, line, this.room.nextFreeIn(team, method));
  }
}
