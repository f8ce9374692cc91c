import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { purgeStatements } from './expiry-purge';

// The SQLite store's schema and statements. Times are the local clock's epoch ms, passed in (one machine).

// A turn is kept as JSON so new Turn fields need no migration; user_id is split out for deleteUser.
// SQLite's own checkpoint (every 1,000 WAL pages by default) runs inside whichever commit crosses the line, often a
// claim on the way to the model: ~3.5 ms more for that question. The store checkpoints after answers complete
// instead (see complete); the raised automatic threshold is only a backstop.
export const SCHEMA = `
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  PRAGMA wal_autocheckpoint = 4000;
  CREATE TABLE IF NOT EXISTS threads (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS threads_expires_at ON threads (expires_at);
  CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    thread_key TEXT NOT NULL REFERENCES threads (key) ON DELETE CASCADE,
    user_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS turns_thread_key ON turns (thread_key, id);
  CREATE INDEX IF NOT EXISTS turns_user_id ON turns (user_id) WHERE user_id IS NOT NULL;
  CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY, payload TEXT NOT NULL, claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS claims_pending ON claims (claimed_at) WHERE done = 0;
  CREATE INDEX IF NOT EXISTS claims_expires_at ON claims (expires_at);
  CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS waiters (
    key TEXT NOT NULL, ord INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key, ord)
  ) WITHOUT ROWID;
`;

/**
 * Columns added since the first release: files created before get them on open. A turn's role and ts (turnId) are
 * unique in its thread, so a retried save stores nothing twice; turns stored before lack them (no retry is coming).
 */
const ADDED_COLUMNS = {
  claims: { user_id: 'TEXT', written: "TEXT NOT NULL DEFAULT '[]'", claimer: 'TEXT' },
  turns: { role: 'TEXT', ts: 'TEXT' },
};

/** Creates the tables, and adds columns a file from an older release lacks. */
export function migrate(db: DatabaseSync): void {
  db.exec(SCHEMA);
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    const present = new Set(info.map((c) => c.name));
    for (const [column, type] of Object.entries(columns)) {
      if (!present.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }
  db.exec(`CREATE INDEX IF NOT EXISTS claims_user_id ON claims (user_id) WHERE user_id IS NOT NULL;
    CREATE UNIQUE INDEX IF NOT EXISTS turns_once ON turns (thread_key, ts, role)`);
}

/** Takes a claim that is free or expired. */
const CLAIM = `INSERT INTO claims (id, payload, user_id, claimer, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, user_id = excluded.user_id, written = '[]',
    claimer = excluded.claimer, claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, done = 0
    WHERE claims.expires_at <= excluded.claimed_at`;

const STATEMENTS = {
  load: `SELECT t.data FROM threads h JOIN turns t ON t.thread_key = h.key
    WHERE h.key = ? AND h.expires_at > ? ORDER BY t.id`,
  has: 'SELECT 1 FROM threads h WHERE h.key = ? AND h.expires_at > ? AND EXISTS (SELECT 1 FROM turns WHERE thread_key = h.key)',
  dropExpired: 'DELETE FROM threads WHERE key = ? AND expires_at <= ?',
  upsertThread: `INSERT INTO threads (key, expires_at) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at`,
  // args: key, user, role, ts, data. A turn stored already (a retried save) is skipped.
  insertTurn: 'INSERT INTO turns (thread_key, user_id, role, ts, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  // args: id, payload, user, claimer, now, expiresAt
  claim: CLAIM,
  // As claim; also won while the claim is still pending under the same claimer (its first try landed unseen).
  reclaim: `${CLAIM} OR (claims.claimer = excluded.claimer AND claims.done = 0)`,
  // args: ts, id, now
  noteWritten: `UPDATE claims SET written = json_insert(written, '$[#]', ?)
    WHERE id = ? AND done = 0 AND expires_at > ?`,
  complete: "UPDATE claims SET done = 1, payload = '', user_id = NULL, written = '[]' WHERE id = ?",
  // args: now, now, ids as JSON
  touch: `UPDATE claims SET claimed_at = ? WHERE done = 0 AND expires_at > ?
    AND id IN (SELECT value FROM json_each(?))`,
  // args: now, now - staleMs, now
  takeStale: `UPDATE claims SET claimed_at = ? WHERE done = 0 AND claimed_at <= ? AND expires_at > ?
    RETURNING id, payload, written`,
  // args: key, token, expiresAt, now
  lock: `INSERT INTO leases (key, token, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE
    SET token = excluded.token, expires_at = excluded.expires_at WHERE leases.expires_at <= ?`,
  renew: 'UPDATE leases SET expires_at = ? WHERE key = ? AND token = ? AND expires_at > ?',
  ahead: 'SELECT 1 FROM waiters WHERE key = ? AND ord < ? AND expires_at > ? LIMIT 1',
  wait: `INSERT INTO waiters (key, ord, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (key, ord) DO UPDATE SET expires_at = excluded.expires_at`,
  leaveLine: 'DELETE FROM waiters WHERE key = ? AND ord = ?',
  unlock: 'DELETE FROM leases WHERE key = ? AND token = ?',
  deleteThread: 'DELETE FROM threads WHERE key = ?',
  deleteUser: `DELETE FROM threads WHERE key IN (SELECT thread_key FROM turns WHERE user_id = ?)
    RETURNING expires_at AS expiresAt`,
  // The claims stay (completed) to keep blocking redeliveries; the question and the user id go.
  forgetClaims: `UPDATE claims SET done = 1, payload = '', user_id = NULL, written = '[]' WHERE user_id = ?`,
  ping: 'SELECT 1',
};

/** Every statement prepared once, plus the expiry purge (its one argument: now). */
export function prepare(db: DatabaseSync): Record<keyof typeof STATEMENTS, StatementSync> & {
  purge: StatementSync[];
} {
  const prepared = Object.fromEntries(Object.entries(STATEMENTS).map(([name, text]) => [name, db.prepare(text)]));
  return {
    ...(prepared as Record<keyof typeof STATEMENTS, StatementSync>),
    purge: purgeStatements('?').map((text) => db.prepare(text)),
  };
}
