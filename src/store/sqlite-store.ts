import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Turn } from '../conversation/turn';
import { StoreError } from '../errors';
import type { DeskBook } from './desk-book';
import { startPurge } from './expiry-purge';
import { SqliteBatch } from './sqlite-batch';
import { DESK_SCHEMA, SqliteDesk } from './sqlite-desk';
import { migrate, prepare } from './sqlite-sql';
import { SqliteUsage } from './sqlite-usage';
import type { StoreOptions } from './store-options';
import type { PendingClaim, ThreadStore } from './thread-store';

/**
 * Completed questions between write-ahead log checkpoints (~10 WAL pages each when committed alone: claim, lock,
 * turns, completion; far fewer when answers finishing together share commits).
 */
const CHECKPOINT_EVERY = 50;

/**
 * A file-backed store (`sqlite:path`); several processes may share the file (WAL, busy timeout). Every call goes
 * through one SqliteBatch: in call order, the writes of one event-loop turn committed together.
 */
export class SqliteStore implements ThreadStore {
  readonly #db: DatabaseSync;
  readonly #timer: NodeJS.Timeout;
  readonly #calls: SqliteBatch;
  readonly #sql: ReturnType<typeof prepare>;
  readonly #logger: StoreOptions['logger'];
  readonly #usage: SqliteUsage;
  #completedSinceCheckpoint = 0;
  readonly desk: DeskBook;

  private constructor(db: DatabaseSync, options: StoreOptions) {
    this.#db = db;
    this.#logger = options.logger;
    this.#calls = new SqliteBatch(db);
    this.#usage = new SqliteUsage(db);
    this.#sql = prepare(db);
    this.desk = new SqliteDesk(db, this.#calls);
    this.#timer = startPurge(
      'SQLite',
      () =>
        this.#calls.write(() => {
          for (const purge of this.#sql.purge) purge.run(Date.now());
        }),
      options,
    );
  }

  /** Opens (creating if needed) the database file at `path` and its parent directory. */
  static async create(path: string, options: StoreOptions = {}): Promise<SqliteStore> {
    let db: DatabaseSync | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new DatabaseSync(path, { timeout: 5000, enableForeignKeyConstraints: true });
      migrate(db);
      db.exec(DESK_SCHEMA);
      return new SqliteStore(db, options);
    } catch (cause) {
      db?.close();
      throw new StoreError(`SQLite store: cannot open ${path}: ${(cause as Error).message}`, { cause });
    }
  }

  load(key: string): Promise<Turn[]> {
    return this.#calls.read(() =>
      (this.#sql.load.all(key, Date.now()) as { data: string }[]).map((row) => JSON.parse(row.data)),
    );
  }

  append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    return this.#calls.write(() => {
      this.#sql.dropExpired.run(key, Date.now());
      this.#sql.upsertThread.run(key, expiresAt);
      for (const turn of turns) {
        this.#sql.insertTurn.run(key, turn.user ?? null, turn.role, turn.ts, JSON.stringify(turn));
      }
    });
  }

  has(key: string): Promise<boolean> {
    return this.#calls.read(() => this.#sql.has.get(key, Date.now()) !== undefined);
  }

  // A burst's claims commit in one transaction with the turn's other writes (200 claims: ~5 ms one by one, ~1 ms
  // together).
  claim(id: string, payload: string, expiresAt: number, user?: string, claimer?: string): Promise<boolean> {
    return this.#claim(this.#sql.claim, id, payload, expiresAt, user, claimer);
  }

  reclaim(id: string, payload: string, expiresAt: number, user: string | undefined, claimer: string) {
    return this.#claim(this.#sql.reclaim, id, payload, expiresAt, user, claimer);
  }

  #claim(statement: StatementSync, id: string, payload: string, expiresAt: number, user?: string, claimer?: string) {
    return this.#calls.write(
      () => Number(statement.run(id, payload, user ?? null, claimer ?? null, Date.now(), expiresAt).changes) === 1,
    );
  }

  noteWritten(id: string, ts: string): Promise<void> {
    return this.#calls.write(() => void this.#sql.noteWritten.run(ts, id, Date.now()));
  }

  // A question is complete once its answer is in Slack: the time to copy the log into the database (~2 ms for 50
  // answers) is taken then, in the next check phase, rather than by a later question's claim.
  complete(id: string): Promise<void> {
    return this.#calls.write(() => {
      this.#sql.complete.run(id);
      if (++this.#completedSinceCheckpoint < CHECKPOINT_EVERY) return;
      this.#completedSinceCheckpoint = 0;
      setImmediate(() => this.#checkpoint());
    });
  }

  #checkpoint(): void {
    try {
      if (this.#db.isOpen) this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch (cause) {
      this.#logger?.warn('SQLite store: checkpoint failed', { error: String(cause) });
    }
  }

  touch(ids: string[]): Promise<void> {
    const now = Date.now();
    return this.#calls.write(() => void this.#sql.touch.run(now, now, JSON.stringify(ids)));
  }

  takeStale(staleMs: number): Promise<PendingClaim[]> {
    return this.#calls.write(() => {
      const now = Date.now();
      const rows = this.#sql.takeStale.all(now, now - staleMs, now) as {
        id: string;
        payload: string;
        written: string;
      }[];
      return rows.map(({ id, payload, written }) => ({ id, payload, claimedAt: now, written: JSON.parse(written) }));
    });
  }

  lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean> {
    return this.#calls.write(() => {
      const now = Date.now();
      // Held by `token` already (asked again after a request that landed unseen): extended, whoever waits.
      const won =
        Number(this.#sql.renew.run(now + ttlMs, key, token, now).changes) === 1 ||
        (this.#sql.ahead.get(key, order, now) === undefined &&
          Number(this.#sql.lock.run(key, token, now + ttlMs, now).changes) === 1);
      if (won) this.#sql.leaveLine.run(key, order);
      else this.#sql.wait.run(key, order, now + ttlMs);
      return won;
    });
  }

  renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.#calls.write(() => {
      const now = Date.now();
      return Number(this.#sql.renew.run(now + ttlMs, key, token, now).changes) === 1;
    });
  }

  unlock(key: string, token: string): Promise<void> {
    return this.#calls.write(() => void this.#sql.unlock.run(key, token));
  }

  deleteThread(key: string): Promise<void> {
    return this.#calls.write(() => void this.#sql.deleteThread.run(key));
  }

  deleteUser(user: string): Promise<number> {
    return this.#calls.write(() => {
      const now = Date.now();
      this.#sql.forgetClaims.run(user);
      const rows = this.#sql.deleteUser.all(user) as { expiresAt: number }[];
      return rows.filter((row) => row.expiresAt > now).length;
    });
  }

  addUsage(key: string, amount: number, expiresAt: number): Promise<number> {
    return this.#calls.write(() => this.#usage.add(key, Math.round(amount), expiresAt, Date.now()));
  }

  usage(keys: string[]): Promise<number[]> {
    return this.#calls.read(() => this.#usage.totals(keys, Date.now()));
  }

  ping(): Promise<void> {
    return this.#calls.read(() => void this.#sql.ping.get());
  }

  /** Lets the calls already made commit, then closes the file. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#calls.read(() => undefined);
    if (this.#db.isOpen) this.#db.close();
  }
}
