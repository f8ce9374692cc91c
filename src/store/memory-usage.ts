/** The memory store's usage counters (UsageCounters), kept apart so the store class stays about threads and claims. */

interface Counter {
  value: number;
  expiresAt: number;
}

/** Expiring running totals in a Map; the memory store delegates to it. */
export class MemoryUsage {
  readonly #counters = new Map<string, Counter>();

  add(key: string, amount: number, expiresAt: number, now: number): number {
    const live = this.#live(key, now);
    const value = (live?.value ?? 0) + amount;
    this.#counters.set(key, { value, expiresAt });
    return value;
  }

  totals(keys: string[], now: number): number[] {
    return keys.map((key) => this.#live(key, now)?.value ?? 0);
  }

  purge(now: number): void {
    for (const [key, counter] of this.#counters) if (counter.expiresAt <= now) this.#counters.delete(key);
  }

  #live(key: string, now: number): Counter | undefined {
    const counter = this.#counters.get(key);
    return counter && counter.expiresAt > now ? counter : undefined;
  }
}
