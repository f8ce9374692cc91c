import { type Turn, turnId } from '../conversation/turn';
import { StoreError } from '../errors';
import { startPurge } from './expiry-purge';
import { MemoryDesk } from './memory-desk';
import { MemoryUsage } from './memory-usage';
import type { PendingClaim, ThreadStore } from './thread-store';

interface Thread {
  turns: Turn[];
  expiresAt: number;
}
interface Claim {
  payload: string;
  user: string | undefined;
  claimer: string | undefined;
  claimedAt: number;
  expiresAt: number;
  done: boolean;
  written: string[];
}
interface Lease {
  token: string;
  expiresAt: number;
}

/** A single-process store for development and tests (`memory://`); everything is lost on exit. */
export class MemoryStore implements ThreadStore {
  readonly #threads = new Map<string, Thread>();
  readonly #claims = new Map<string, Claim>();
  readonly #leases = new Map<string, Lease>();
  /** Per thread: the orders waiting for its lease, each with when it stops waiting. */
  readonly #waiting = new Map<string, Map<number, number>>();
  readonly #usage = new MemoryUsage();
  #timer: NodeJS.Timeout | undefined = startPurge('Memory', () => this.#purge(), {});
  readonly desk = new MemoryDesk(() => this.#open());

  async load(key: string): Promise<Turn[]> {
    return this.#live(this.#threads, key)?.turns.map((turn) => ({ ...turn })) ?? [];
  }

  async append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    const thread = this.#live(this.#threads, key) ?? { turns: [], expiresAt };
    const stored = new Set(thread.turns.map(turnId));
    for (const turn of turns) {
      if (stored.has(turnId(turn))) continue;
      stored.add(turnId(turn));
      thread.turns.push({ ...turn });
    }
    thread.expiresAt = expiresAt;
    this.#threads.set(key, thread);
  }

  async has(key: string): Promise<boolean> {
    return (this.#live(this.#threads, key)?.turns.length ?? 0) > 0;
  }

  async claim(id: string, payload: string, expiresAt: number, user?: string, claimer?: string): Promise<boolean> {
    if (this.#live(this.#claims, id)) return false;
    this.#claims.set(id, { payload, user, claimer, claimedAt: Date.now(), expiresAt, done: false, written: [] });
    return true;
  }

  async reclaim(id: string, payload: string, expiresAt: number, user: string | undefined, claimer: string) {
    const taken = this.#live(this.#claims, id);
    if (taken) return taken.claimer === claimer && !taken.done;
    return this.claim(id, payload, expiresAt, user, claimer);
  }

  async noteWritten(id: string, ts: string): Promise<void> {
    const claim = this.#live(this.#claims, id);
    if (claim && !claim.done) claim.written.push(ts);
  }

  async complete(id: string): Promise<void> {
    const claim = this.#live(this.#claims, id);
    if (claim) Object.assign(claim, { done: true, payload: '', user: undefined, written: [] });
  }

  async touch(ids: string[]): Promise<void> {
    const now = Date.now();
    for (const id of ids) {
      const claim = this.#live(this.#claims, id);
      if (claim && !claim.done) claim.claimedAt = now;
    }
  }

  async takeStale(staleMs: number): Promise<PendingClaim[]> {
    this.#open();
    const now = Date.now();
    const taken: PendingClaim[] = [];
    for (const [id, claim] of this.#claims) {
      if (claim.done || claim.expiresAt <= now || now - claim.claimedAt < staleMs) continue;
      claim.claimedAt = now;
      taken.push({ id, payload: claim.payload, claimedAt: now, written: [...claim.written] });
    }
    return taken;
  }

  async lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean> {
    const holder = this.#live(this.#leases, key)?.token;
    const now = Date.now();
    const line = this.#waiting.get(key) ?? new Map<number, number>();
    for (const [waiting, until] of line) if (until <= now) line.delete(waiting);
    // Held: refused unless by this token (asked again after a request that landed unseen: extended, whoever waits).
    const refused = holder !== undefined ? holder !== token : [...line.keys()].some((waiting) => waiting < order);
    if (refused) {
      this.#waiting.set(key, line.set(order, now + ttlMs));
      return false;
    }
    line.delete(order);
    if (line.size === 0) this.#waiting.delete(key);
    this.#leases.set(key, { token, expiresAt: now + ttlMs });
    return true;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const lease = this.#live(this.#leases, key);
    if (lease?.token !== token) return false;
    lease.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async unlock(key: string, token: string): Promise<void> {
    if (this.#live(this.#leases, key)?.token === token) this.#leases.delete(key);
  }

  async deleteThread(key: string): Promise<void> {
    this.#open();
    this.#threads.delete(key);
  }

  async deleteUser(user: string): Promise<number> {
    let deleted = 0;
    for (const key of [...this.#threads.keys()]) {
      if (this.#live(this.#threads, key)?.turns.some((turn) => turn.user === user)) {
        this.#threads.delete(key);
        deleted++;
      }
    }
    for (const [id, claim] of this.#claims) if (claim.user === user) await this.complete(id);
    return deleted;
  }

  async addUsage(key: string, amount: number, expiresAt: number): Promise<number> {
    this.#open();
    return this.#usage.add(key, Math.round(amount), expiresAt, Date.now());
  }

  async usage(keys: string[]): Promise<number[]> {
    this.#open();
    return this.#usage.totals(keys, Date.now());
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The entry under `key` unless it has expired (then it is dropped); throws once the store is closed. */
  #live<T extends { expiresAt: number }>(map: Map<string, T>, key: string): T | undefined {
    this.#open();
    const entry = map.get(key);
    if (!entry || entry.expiresAt > Date.now()) return entry;
    map.delete(key);
    return undefined;
  }

  #open(): void {
    if (!this.#timer) throw new StoreError('The memory store is closed');
  }

  #purge(): void {
    const now = Date.now();
    this.#usage.purge(now);
    for (const map of [this.#threads, this.#claims, this.#leases]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
    for (const [key, line] of this.#waiting) {
      for (const [order, until] of line) if (until <= now) line.delete(order);
      if (line.size === 0) this.#waiting.delete(key);
    }
  }
}
