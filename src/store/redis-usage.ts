/** The Redis store's usage counters (UsageCounters): INCRBY on a key that expires natively (PEXPIREAT). */
import type { RedisClientType } from 'redis';

/** Counters under `prefix` + `n:`; the store wraps each call in its time limit and StoreError. */
export class RedisUsage {
  readonly #client: RedisClientType;
  readonly #prefix: string;

  constructor(client: RedisClientType, prefix: string) {
    this.#client = client;
    this.#prefix = `${prefix}n:`;
  }

  async add(key: string, amount: number, expiresAt: number): Promise<number> {
    const counter = this.#prefix + key;
    const [total] = await this.#client.multi().incrBy(counter, Math.round(amount)).pExpireAt(counter, expiresAt).exec();
    return Number(total);
  }

  async totals(keys: string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const values = await this.#client.mGet(keys.map((key) => this.#prefix + key));
    return values.map((value) => Number(value ?? 0));
  }
}
