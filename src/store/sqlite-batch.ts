/** The SQLite store's calls, run in the order they are made; those of one event-loop turn share one transaction. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors';
import { batchPerTick } from './tick-batch';

// Every commit appends the pages it changed to the write-ahead log: a turn, a claim's completion, a lease's release
// and a usage counter committed one by one (~8 commits per answer) cost several times what they cost committed
// together. So the calls made while the event loop goes round once run together at its end (the check phase: a
// microtask would only join calls made in the same callback, and answers whose Slack writes return on different
// sockets would each still commit alone), in call order, in one BEGIN IMMEDIATE … COMMIT; each write in its own
// savepoint, so that one failing write is undone alone and the others still commit. A call settles only after the
// COMMIT that holds it, so no caller sees a write as done before it is committed, and a later call (a read
// included) always sees an earlier one: they run in the order they were made, in the same transaction or a later one.

/** One store call: its body, and whether it may change the database. */
interface Call {
  body: () => unknown;
  writes: boolean;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs `flush` once the event loop has served the I/O already waiting (check phase), not at the end of this tick. */
const afterThisTurn = (flush: () => void) => void setImmediate(flush);

/** Every call of one SQLite store (and its desk), in call order, each settling once committed. */
export class SqliteBatch {
  readonly #db: DatabaseSync;
  readonly #sql: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'undo', StatementSync>;
  readonly #batch = batchPerTick(async (calls: Call[]) => this.#runAll(calls), afterThisTurn);

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT call'),
      release: db.prepare('RELEASE call'),
      undo: db.prepare('ROLLBACK TO call'),
    };
  }

  /** Runs `body`, which only reads, after the calls made before it; rejects with StoreError. */
  read<T>(body: () => T): Promise<T> {
    return this.#call({ body, writes: false }) as Promise<T>;
  }

  /** Runs `body` atomically after the calls made before it; settles once committed; rejects with StoreError. */
  write<T>(body: () => T): Promise<T> {
    return this.#call({ body, writes: true }) as Promise<T>;
  }

  async #call(call: Call): Promise<unknown> {
    let outcome: Outcome;
    try {
      outcome = await this.#batch(call);
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome.ok) return outcome.value;
    const cause = outcome.error;
    throw new StoreError(`SQLite store: ${(cause as Error).message}`, { cause });
  }

  /** A batch of reads runs as it is, each on its own (no transaction to take or commit). */
  #runAll(calls: Call[]): Outcome[] {
    if (!calls.some((call) => call.writes)) return calls.map(settle);
    this.#sql.begin.run();
    try {
      if (calls.length === 1) return [this.#alone(calls[0] as Call)];
      const outcomes = calls.map((call) => (call.writes ? this.#inSavepoint(call) : this.#checked(settle(call))));
      this.#sql.commit.run();
      return outcomes;
    } catch (error) {
      if (this.#db.isOpen && this.#db.isTransaction) this.#sql.rollback.run();
      throw error;
    }
  }

  /** A write alone needs no savepoint: if it fails, its transaction is rolled back. */
  #alone(call: Call): Outcome {
    const outcome = settle(call);
    if (outcome.ok) this.#sql.commit.run();
    else if (this.#db.isTransaction) this.#sql.rollback.run();
    return outcome;
  }

  #inSavepoint(call: Call): Outcome {
    this.#sql.savepoint.run();
    const outcome = this.#checked(settle(call));
    if (!outcome.ok) this.#sql.undo.run();
    this.#sql.release.run();
    return outcome;
  }

  // Some errors (disk full, I/O) make SQLite roll the whole transaction back: the batch's earlier writes are lost
  // with it, so the whole batch fails rather than report them done.
  #checked(outcome: Outcome): Outcome {
    if (!outcome.ok && !this.#db.isTransaction) throw outcome.error;
    return outcome;
  }
}

function settle(call: Call): Outcome {
  try {
    return { ok: true, value: call.body() };
  } catch (error) {
    return { ok: false, error };
  }
}
