import { Pool, type QueryResultRow } from 'pg';
import type { Turn } from '../conversation/turn';
import { StoreError } from '../errors';
import type { CapacityLeases } from './capacity-leases';
import type { DeskBook } from './desk-book';
import { startPurge } from './expiry-purge';
import { deskSchemaSql, PostgresDesk } from './postgres-desk';
import { purgeSql, type Statement, schemaSql, statements } from './postgres-sql';
import { PostgresUsage, usageSchemaSql } from './postgres-usage';
import type { StoreOptions } from './store-options';
import { redactStoreUrl } from './store-url';
import type { PendingClaim, ThreadStore } from './thread-store';
import { batchPerTick } from './tick-batch';

type ClaimArgs = { id: string; payload: string; expiresAt: number; user: string | null; claimer: string | null };
type ClaimRow = { id: string; payload: string; claimed_at: string; written: string[] };

/** A store shared by several instances (`postgres://user@host/db?schema=name`); tables live in `schema`. */
export class PostgresStore implements ThreadStore, CapacityLeases {
  readonly #pool: Pool;
  readonly #sql: Record<Statement, string>;
  readonly #timer: NodeJS.Timeout;
  readonly desk: DeskBook;
  readonly #usage: PostgresUsage;

  private constructor(pool: Pool, schema: string, options: StoreOptions) {
    this.#pool = pool;
    this.#sql = statements(schema);
    this.desk = new PostgresDesk(pool, schema);
    this.#usage = new PostgresUsage(pool, schema);
    const purge = purgeSql(schema);
    this.#timer = startPurge('Postgres', () => pool.query(purge), options);
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
        ${schemaSql(`"${schema}"`)} ${usageSchemaSql(`"${schema}"`)} ${deskSchemaSql(`"${schema}"`)} COMMIT;`);
    } catch (cause) {
      await pool.end().catch(() => {});
      const where = redactStoreUrl(url);
      throw new StoreError(`Postgres store: cannot set up ${where}: ${(cause as Error).message}`, { cause });
    }
    return new PostgresStore(pool, `"${schema}"`, options);
  }

  async load(key: string): Promise<Turn[]> {
    return (await this.#query<{ data: string }>('load', [key])).map((row) => JSON.parse(row.data) as Turn);
  }

  async append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    const [users, roles, stamps] = [turns.map((t) => t.user ?? null), turns.map((t) => t.role), turns.map((t) => t.ts)];
    await this.#query('append', [key, expiresAt, users, roles, stamps, turns.map((turn) => JSON.stringify(turn))]);
  }

  async has(key: string): Promise<boolean> {
    return (await this.#query('has', [key])).length === 1;
  }

  // A burst's claims go in one statement: one round trip and one commit instead of one per claim.
  readonly #claimBatch = batchPerTick(async (batch: ClaimArgs[]) => {
    // The same id twice in a batch: the first asker is the first claimer, the others lose without asking.
    const first = new Map<string, ClaimArgs>();
    for (const claim of batch) if (!first.has(claim.id)) first.set(claim.id, claim);
    const asked = [...first.values()];
    const rows = await this.#query<{ id: string }>('claim', [
      asked.map((c) => c.id),
      asked.map((c) => c.payload),
      asked.map((c) => c.expiresAt),
      asked.map((c) => c.user),
      asked.map((c) => c.claimer),
    ]);
    const won = new Set(rows.map((row) => row.id));
    return batch.map((claim) => first.get(claim.id) === claim && won.has(claim.id));
  });

  claim(id: string, payload: string, expiresAt: number, user?: string, claimer?: string): Promise<boolean> {
    return this.#claimBatch({ id, payload, expiresAt, user: user ?? null, claimer: claimer ?? null });
  }

  async reclaim(id: string, payload: string, expiresAt: number, user: string | undefined, claimer: string) {
    return (await this.#query('reclaim', [id, payload, expiresAt, user ?? null, claimer])).length === 1;
  }

  async noteWritten(id: string, ts: string): Promise<void> {
    await this.#query('noteWritten', [id, ts]);
  }

  async complete(id: string): Promise<void> {
    await this.#query('complete', [id]);
  }

  async touch(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#query('touch', [ids]);
  }

  async takeStale(staleMs: number): Promise<PendingClaim[]> {
    const rows = await this.#query<ClaimRow>('takeStale', [Math.floor(staleMs)]);
    return rows.map(({ id, payload, claimed_at, written }) => ({
      id,
      payload,
      claimedAt: Number(claimed_at),
      written,
    }));
  }

  async lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean> {
    return (await this.#query('lock', [key, token, Math.ceil(ttlMs), order])).length === 1;
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

  addUsage(key: string, amount: number, expiresAt: number): Promise<number> {
    return this.#usage.add(key, amount, expiresAt);
  }

  usage(keys: string[]): Promise<number[]> {
    return this.#usage.totals(keys);
  }

  async ping(): Promise<void> {
    await this.#query('ping', []);
  }

  async takeCapacity(team: string, method: string, want: number, limit: number, holdMs: number): Promise<number> {
    const args = [team, method, Math.floor(want), Math.floor(limit), Math.ceil(holdMs)];
    return (await this.#query<{ granted: number }>('takeCapacity', args))[0].granted;
  }

  async returnCapacity(team: string, method: string, slots: number, holdMs: number): Promise<void> {
    await this.#query('returnCapacity', [team, method, Math.floor(holdMs), Math.floor(slots)]);
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
