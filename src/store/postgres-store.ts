import { randomUUID } from 'node:crypto';
import { Pool, type QueryResultRow } from 'pg';
import { StoreError } from '../errors';
import { redact, type StoreOptions } from './create-store';
import type { PendingClaim, ThreadStore, Turn } from './thread-store';

const PURGE_EVERY_MS = 60_000;
/** The database's clock in epoch ms: expiry is judged by the one clock every instance shares. */
const NOW = '(extract(epoch from now()) * 1000)::bigint';

// A turn is kept as JSON text so new Turn fields need no migration; user_id is split out for deleteUser.
const schemaSql = (s: string) => `
  CREATE SCHEMA IF NOT EXISTS ${s};
  CREATE TABLE IF NOT EXISTS ${s}.threads (key text PRIMARY KEY, expires_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS threads_expires_at ON ${s}.threads (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.turns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_key text NOT NULL REFERENCES ${s}.threads (key) ON DELETE CASCADE,
    user_id text,
    data text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS turns_thread_key ON ${s}.turns (thread_key, id);
  CREATE INDEX IF NOT EXISTS turns_user_id ON ${s}.turns (user_id) WHERE user_id IS NOT NULL;
  CREATE TABLE IF NOT EXISTS ${s}.claims (
    id text PRIMARY KEY, payload text NOT NULL, claimed_at bigint NOT NULL, expires_at bigint NOT NULL,
    done boolean NOT NULL DEFAULT false
  );
  CREATE INDEX IF NOT EXISTS claims_pending ON ${s}.claims (claimed_at) WHERE NOT done;
  CREATE INDEX IF NOT EXISTS claims_expires_at ON ${s}.claims (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.leases (key text PRIMARY KEY, token text NOT NULL, expires_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS leases_expires_at ON ${s}.leases (expires_at);
  CREATE TABLE IF NOT EXISTS ${s}.waiters (
    key text NOT NULL, ord bigint NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (key, ord)
  );
  CREATE INDEX IF NOT EXISTS waiters_expires_at ON ${s}.waiters (expires_at);`;

const statements = (s: string) => ({
  load: `SELECT t.data FROM ${s}.threads h JOIN ${s}.turns t ON t.thread_key = h.key
    WHERE h.key = $1 AND h.expires_at > ${NOW} ORDER BY t.id`,
  // One statement: turns of an expired (not yet purged) thread go, its expiry moves, the new turns follow in order.
  append: `WITH stale AS (DELETE FROM ${s}.turns WHERE thread_key = $1
      AND EXISTS (SELECT 1 FROM ${s}.threads WHERE key = $1 AND expires_at <= ${NOW})),
    thread AS (INSERT INTO ${s}.threads (key, expires_at) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at RETURNING key)
    INSERT INTO ${s}.turns (thread_key, user_id, data) SELECT thread.key, t.user_id, t.data
    FROM thread, unnest($3::text[], $4::text[]) WITH ORDINALITY AS t (user_id, data, n) ORDER BY t.n`,
  // A lost claim (the common duplicate event) takes no row lock and writes nothing; an expired claim is re-taken by
  // the UPDATE, which a concurrent re-claimer waits on and then finds no longer expired. Leases work the same way.
  claim: `WITH fresh AS (INSERT INTO ${s}.claims (id, payload, claimed_at, expires_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO NOTHING RETURNING 1),
    expired AS (UPDATE ${s}.claims SET payload = $2, claimed_at = $3, expires_at = $4, done = false
      WHERE id = $1 AND expires_at <= ${NOW} RETURNING 1)
    SELECT 1 FROM fresh UNION ALL SELECT 1 FROM expired`,
  complete: `UPDATE ${s}.claims SET done = true, payload = '' WHERE id = $1`,
  touch: `UPDATE ${s}.claims SET claimed_at = $2 WHERE id = ANY ($1::text[]) AND NOT done AND expires_at > ${NOW}`,
  takeStale: `UPDATE ${s}.claims SET claimed_at = $3 WHERE id IN (SELECT id FROM ${s}.claims
    WHERE NOT done AND claimed_at >= $2 AND claimed_at < $1 AND expires_at > ${NOW} FOR UPDATE SKIP LOCKED)
    RETURNING id, payload`,
  lock: `WITH fresh AS (INSERT INTO ${s}.leases (key, token, expires_at) VALUES ($1, $2, ${NOW} + $3)
      ON CONFLICT (key) DO NOTHING RETURNING 1),
    expired AS (UPDATE ${s}.leases SET token = $2, expires_at = ${NOW} + $3
      WHERE key = $1 AND expires_at <= ${NOW} RETURNING 1)
    SELECT 1 FROM fresh UNION ALL SELECT 1 FROM expired`,
  // The lease goes to the lowest order waiting: refused unless none lower waits; the caller joins or leaves the line.
  lockInLine: `WITH ahead AS (SELECT 1 FROM ${s}.waiters WHERE key = $1 AND ord < $4::bigint AND expires_at > ${NOW}),
    fresh AS (INSERT INTO ${s}.leases (key, token, expires_at) SELECT $1, $2, ${NOW} + $3::bigint
      WHERE NOT EXISTS (SELECT 1 FROM ahead) ON CONFLICT (key) DO NOTHING RETURNING 1),
    expired AS (UPDATE ${s}.leases SET token = $2, expires_at = ${NOW} + $3::bigint
      WHERE key = $1 AND expires_at <= ${NOW} AND NOT EXISTS (SELECT 1 FROM ahead) RETURNING 1),
    won AS (SELECT 1 FROM fresh UNION ALL SELECT 1 FROM expired),
    joined AS (INSERT INTO ${s}.waiters (key, ord, expires_at) SELECT $1, $4::bigint, ${NOW} + $3::bigint
      WHERE NOT EXISTS (SELECT 1 FROM won) ON CONFLICT (key, ord) DO UPDATE SET expires_at = excluded.expires_at),
    left_line AS (DELETE FROM ${s}.waiters WHERE key = $1 AND ord = $4::bigint AND EXISTS (SELECT 1 FROM won))
    SELECT 1 FROM won`,
  renew: `UPDATE ${s}.leases SET expires_at = ${NOW} + $3 WHERE key = $1 AND token = $2 AND expires_at > ${NOW}
    RETURNING 1`,
  unlock: `DELETE FROM ${s}.leases WHERE key = $1 AND token = $2`,
  deleteThread: `DELETE FROM ${s}.threads WHERE key = $1`,
  deleteUser: `DELETE FROM ${s}.threads WHERE key IN (SELECT thread_key FROM ${s}.turns WHERE user_id = $1)
    RETURNING expires_at > ${NOW} AS live`,
});
type Statement = keyof ReturnType<typeof statements>;

/** A store shared by several instances (`postgres://user@host/db?schema=name`); tables live in `schema`. */
export class PostgresStore implements ThreadStore {
  readonly #pool: Pool;
  readonly #sql: Record<Statement, string>;
  readonly #timer: NodeJS.Timeout;

  private constructor(pool: Pool, schema: string, options: StoreOptions) {
    this.#pool = pool;
    this.#sql = statements(schema);
    const purge = ['threads', 'claims', 'leases', 'waiters'].map(
      (t) => `DELETE FROM ${schema}.${t} WHERE expires_at <= ${NOW};`,
    );
    this.#timer = setInterval(() => {
      pool.query(purge.join('\n')).catch((error: Error) => {
        options.logger?.warn('Postgres store: purging expired rows failed', { error: error.message });
      });
    }, PURGE_EVERY_MS).unref();
  }

  /** Connects and creates the tables if needed, failing fast (with StoreError) if Postgres is unreachable. */
  static async create(url: string, options: StoreOptions = {}): Promise<PostgresStore> {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) throw new StoreError(`STORE_URL has an invalid schema name: ${schema}`);
    parsed.searchParams.delete('schema');
    const pool = new Pool({
      connectionString: parsed.toString(),
      connectionTimeoutMillis: 1500,
      query_timeout: 2000,
      idleTimeoutMillis: 30_000,
    });
    let down = false;
    // Without a listener, an idle client losing its connection would crash the process.
    pool.on('error', (error) => {
      if (!down) options.logger?.warn('Postgres store: connection lost', { error: error.message });
      down = true;
    });
    pool.on('connect', () => {
      down = false;
    });
    try {
      // The advisory lock makes instances starting together create the schema one after the other.
      await pool.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('slack-support-bot schema'));
        ${schemaSql(`"${schema}"`)} COMMIT;`);
    } catch (cause) {
      await pool.end().catch(() => {});
      throw new StoreError(`Postgres store: cannot set up ${redact(url)}: ${(cause as Error).message}`, { cause });
    }
    return new PostgresStore(pool, `"${schema}"`, options);
  }

  async load(key: string): Promise<Turn[]> {
    return (await this.#query<{ data: string }>('load', [key])).map((row) => JSON.parse(row.data) as Turn);
  }

  async append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    const users = turns.map((turn) => turn.user ?? null);
    await this.#query('append', [key, expiresAt, users, turns.map((turn) => JSON.stringify(turn))]);
  }

  async claim(id: string, payload: string, expiresAt: number): Promise<boolean> {
    return (await this.#query('claim', [id, payload, Date.now(), expiresAt])).length === 1;
  }

  async complete(id: string): Promise<void> {
    await this.#query('complete', [id]);
  }

  async touch(ids: string[], now: number): Promise<void> {
    await this.#query('touch', [ids, now]);
  }

  async takeStale(staleBefore: number, notBefore: number, now: number): Promise<PendingClaim[]> {
    const rows = await this.#query<{ id: string; payload: string }>('takeStale', [staleBefore, notBefore, now]);
    return rows.map(({ id, payload }) => ({ id, payload, claimedAt: now }));
  }

  async lock(key: string, ttlMs: number, order?: number): Promise<string | null> {
    const token = randomUUID();
    const rows =
      order === undefined
        ? await this.#query('lock', [key, token, Math.ceil(ttlMs)])
        : await this.#query('lockInLine', [key, token, Math.ceil(ttlMs), order]);
    return rows.length === 1 ? token : null;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.#query('renew', [key, token, Math.ceil(ttlMs)])).length === 1;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.#query('unlock', [key, token]);
  }

  async deleteThread(key: string): Promise<void> {
    await this.#query('deleteThread', [key]);
  }

  async deleteUser(user: string): Promise<number> {
    return (await this.#query<{ live: boolean }>('deleteUser', [user])).filter((row) => row.live).length;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (!this.#pool.ended) await this.#pool.end();
  }

  /** Runs a named prepared statement: each pooled connection parses and plans it once. */
  async #query<R extends QueryResultRow = QueryResultRow>(name: Statement, values: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ name, text: this.#sql[name], values })).rows;
    } catch (cause) {
      throw new StoreError(`Postgres store: ${name} failed: ${(cause as Error).message}`, { cause });
    }
  }
}
