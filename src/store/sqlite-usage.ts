/** The SQLite store's usage counters (UsageCounters): one row per key, added to in one atomic upsert. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** The table; expired rows go with the store's expiry purge (expiry-purge.ts lists it). */
const USAGE_SCHEMA = `CREATE TABLE IF NOT EXISTS usage_counters (
  key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at INTEGER NOT NULL
) WITHOUT ROWID`;

// An expired row (not yet purged) starts again from the amount added, as if it were absent.
const ADD = `INSERT INTO usage_counters (key, value, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN usage_counters.expires_at <= ? THEN excluded.value ELSE usage_counters.value + excluded.value END,
    expires_at = excluded.expires_at
  RETURNING value`;
const READ = `SELECT key, value FROM usage_counters WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?`;

/** Creates the table (before the store prepares its purge) and prepares the two statements. */
export class SqliteUsage {
  readonly #add: StatementSync;
  readonly #read: StatementSync;

  constructor(db: DatabaseSync) {
    db.exec(USAGE_SCHEMA);
    this.#add = db.prepare(ADD);
    this.#read = db.prepare(READ);
  }

  add(key: string, amount: number, expiresAt: number, now: number): number {
    return Number((this.#add.get(key, amount, expiresAt, now) as { value: number }).value);
  }

  totals(keys: string[], now: number): number[] {
    const rows = this.#read.all(JSON.stringify(keys), now) as { key: string; value: number }[];
    const found = new Map(rows.map((row) => [row.key, Number(row.value)]));
    return keys.map((key) => found.get(key) ?? 0);
  }
}
