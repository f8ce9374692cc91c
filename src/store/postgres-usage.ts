/** The Postgres store's usage counters (UsageCounters): one row per key, added to in one atomic upsert. */
import type { Pool } from 'pg';
import { StoreError } from '../errors';
import { NOW } from './postgres-sql';
import { batchPerTick } from './tick-batch';

/** The table, created with the store's schema; expired rows go with its expiry purge (expiry-purge.ts lists it). */
export const usageSchemaSql = (s: string) => `
  CREATE TABLE IF NOT EXISTS ${s}.usage_counters (key text PRIMARY KEY, value bigint NOT NULL, expires_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS usage_counters_expires_at ON ${s}.usage_counters (expires_at);`;

/** Counters judged by the database's clock, like every other expiry in this store. */
export class PostgresUsage {
  readonly #pool: Pool;
  readonly #add: string;
  readonly #read: string;

  constructor(pool: Pool, s: string) {
    this.#pool = pool;
    // An expired row (not yet purged) starts again from the amount added, as if it were absent.
    this.#add = `INSERT INTO ${s}.usage_counters AS c (key, value, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (key) DO UPDATE SET
        value = CASE WHEN c.expires_at <= ${NOW} THEN excluded.value ELSE c.value + excluded.value END,
        expires_at = excluded.expires_at
      RETURNING value`;
    this.#read = `SELECT key, value FROM ${s}.usage_counters WHERE key = ANY($1::text[]) AND expires_at > ${NOW}`;
  }

  async add(key: string, amount: number, expiresAt: number): Promise<number> {
    const rows = await this.#query<{ value: string }>('addUsage', this.#add, [key, Math.round(amount), expiresAt]);
    return Number(rows[0]?.value ?? 0);
  }

  totals(keys: string[]): Promise<number[]> {
    return this.#readBatch(keys);
  }

  // A burst's budget reads go in one statement, as its claims do: one query per tick, not one per question.
  readonly #readBatch = batchPerTick(async (batch: string[][]) => {
    const rows = await this.#query<{ key: string; value: string }>('usage', this.#read, [[...new Set(batch.flat())]]);
    const found = new Map(rows.map((row) => [row.key, Number(row.value)]));
    return batch.map((keys) => keys.map((key) => found.get(key) ?? 0));
  });

  async #query<R>(name: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query({ name, text, values })).rows as R[];
    } catch (cause) {
      throw new StoreError(`Postgres store: ${name} failed: ${(cause as Error).message}`, { cause });
    }
  }
}
