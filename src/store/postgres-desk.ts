/** The desk's book in PostgreSQL: three tables in the store's schema, each row expiring with history retention. */
import type { Pool, QueryResultRow } from 'pg';
import { StoreError } from '../errors';
import type { DeskBook, DeskFlag, DeskThread, FeedbackRecord, QuestionRecord } from './desk-book';
import { FLAG_COLUMNS, type ThreadRow, threadOf } from './desk-sql';
import { NOW } from './postgres-sql';

/** The desk's tables; flags only ever go from false to true, so concurrent marks merge. */
export const deskSchemaSql = (s: string) => `
  CREATE TABLE IF NOT EXISTS ${s}.desk_threads (
    key text PRIMARY KEY, context text NOT NULL, channel_kind text NOT NULL, at bigint NOT NULL,
    stepped_back boolean NOT NULL DEFAULT false, handed_off boolean NOT NULL DEFAULT false,
    resolved boolean NOT NULL DEFAULT false, expires_at bigint NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${s}.desk_feedback (
    channel text NOT NULL, answer_ts text NOT NULL, user_id text NOT NULL, at bigint NOT NULL, data text NOT NULL,
    expires_at bigint NOT NULL, PRIMARY KEY (channel, answer_ts, user_id)
  );
  CREATE TABLE IF NOT EXISTS ${s}.desk_questions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL, data text NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX IF NOT EXISTS desk_questions_at ON ${s}.desk_questions (at);`;

const THREAD_COLUMNS = `key, context, channel_kind AS "channelKind", at, stepped_back AS "steppedBack",
  handed_off AS "handedOff", resolved`;

export class PostgresDesk implements DeskBook {
  constructor(
    private readonly pool: Pool,
    private readonly s: string,
  ) {}

  async thread(key: string): Promise<DeskThread | undefined> {
    const sql = `SELECT ${THREAD_COLUMNS} FROM ${this.s}.desk_threads WHERE key = $1 AND expires_at > ${NOW}`;
    const [row] = await this.#query(sql, [key]);
    return row && threadOf(row as ThreadRow);
  }

  async markThread(
    key: string,
    flag: DeskFlag,
    about: Pick<DeskThread, 'context' | 'channelKind'>,
    expiresAt: number,
  ): Promise<void> {
    const column = FLAG_COLUMNS[flag];
    const t = `${this.s}.desk_threads`;
    // An expired row not purged yet starts over: its old flags no longer count.
    await this.#query(
      `INSERT INTO ${t} (key, context, channel_kind, at, ${column}, expires_at) VALUES ($1, $2, $3, $4, true, $5)
      ON CONFLICT (key) DO UPDATE SET
        context = CASE WHEN ${t}.expires_at <= ${NOW} THEN excluded.context ELSE ${t}.context END,
        channel_kind = CASE WHEN ${t}.expires_at <= ${NOW} THEN excluded.channel_kind ELSE ${t}.channel_kind END,
        at = CASE WHEN ${t}.expires_at <= ${NOW} THEN excluded.at ELSE ${t}.at END,
        stepped_back = ${t}.stepped_back AND ${t}.expires_at > ${NOW},
        handed_off = ${t}.handed_off AND ${t}.expires_at > ${NOW},
        resolved = ${t}.resolved AND ${t}.expires_at > ${NOW}`,
      [key, about.context, about.channelKind, Date.now(), expiresAt],
    );
    await this.#query(`UPDATE ${t} SET ${column} = true, expires_at = GREATEST(expires_at, $2) WHERE key = $1`, [
      key,
      expiresAt,
    ]);
  }

  async recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.s}.desk_feedback (channel, answer_ts, user_id, at, data, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, answer_ts, user_id)
      DO UPDATE SET at = excluded.at, data = excluded.data, expires_at = excluded.expires_at`,
      [record.channel, record.answerTs, record.user, record.at, JSON.stringify(record), expiresAt],
    );
  }

  async recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void> {
    await this.#query(`INSERT INTO ${this.s}.desk_questions (at, data, expires_at) VALUES ($1, $2, $3)`, [
      record.at,
      JSON.stringify(record),
      expiresAt,
    ]);
  }

  async threadsSince(since: number): Promise<DeskThread[]> {
    const sql = `SELECT ${THREAD_COLUMNS} FROM ${this.s}.desk_threads WHERE at >= $1 AND expires_at > ${NOW}`;
    return (await this.#query(sql, [since])).map((row) => threadOf(row as ThreadRow));
  }

  async feedbackSince(since: number): Promise<FeedbackRecord[]> {
    return (await this.#data('desk_feedback', since)) as FeedbackRecord[];
  }

  async questionsSince(since: number): Promise<QuestionRecord[]> {
    return (await this.#data('desk_questions', since)) as QuestionRecord[];
  }

  async forgetUser(user: string): Promise<number> {
    return (await this.#query(`DELETE FROM ${this.s}.desk_feedback WHERE user_id = $1 RETURNING 1`, [user])).length;
  }

  async #data(table: string, since: number): Promise<unknown[]> {
    const sql = `SELECT data FROM ${this.s}.${table} WHERE at >= $1 AND expires_at > ${NOW} ORDER BY at`;
    return (await this.#query(sql, [since])).map((row) => JSON.parse(row.data as string));
  }

  async #query(text: string, values: unknown[]): Promise<QueryResultRow[]> {
    try {
      return (await this.pool.query(text, values)).rows;
    } catch (cause) {
      throw new StoreError(`Postgres store: desk query failed: ${(cause as Error).message}`, { cause });
    }
  }
}
