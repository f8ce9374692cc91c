/** The desk's book in SQLite: three tables beside the threads, each row expiring with history retention. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DeskBook, DeskFlag, DeskThread, FeedbackRecord, QuestionRecord } from './desk-book';
import { FLAG_COLUMNS, type ThreadRow, threadOf } from './desk-sql';
import type { SqliteBatch } from './sqlite-batch';

/** The desk's tables; `desk_threads` flags only ever go from 0 to 1 (MAX), so concurrent marks merge. */
export const DESK_SCHEMA = `
  CREATE TABLE IF NOT EXISTS desk_threads (
    key TEXT PRIMARY KEY, context TEXT NOT NULL, channel_kind TEXT NOT NULL, at INTEGER NOT NULL,
    stepped_back INTEGER NOT NULL DEFAULT 0, handed_off INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS desk_feedback (
    channel TEXT NOT NULL, answer_ts TEXT NOT NULL, user_id TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL,
    expires_at INTEGER NOT NULL, PRIMARY KEY (channel, answer_ts, user_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS desk_questions (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS desk_questions_at ON desk_questions (at);
`;

const THREAD_COLUMNS = `key, context, channel_kind AS channelKind, at, stepped_back AS steppedBack,
  handed_off AS handedOff, resolved`;

const markSql = (column: string) =>
  `INSERT INTO desk_threads (key, context, channel_kind, at, ${column}, expires_at) VALUES (?, ?, ?, ?, 1, ?)
  ON CONFLICT (key) DO UPDATE SET ${column} = 1, expires_at = MAX(expires_at, excluded.expires_at)`;
const dataSql = (table: string) => `SELECT data FROM ${table} WHERE at >= ? AND expires_at > ? ORDER BY at`;

/** Every statement prepared once (the desk's tables must exist). */
function prepareDesk(db: DatabaseSync) {
  const flags = Object.keys(FLAG_COLUMNS) as DeskFlag[];
  return {
    thread: db.prepare(`SELECT ${THREAD_COLUMNS} FROM desk_threads WHERE key = ? AND expires_at > ?`),
    dropExpired: db.prepare('DELETE FROM desk_threads WHERE key = ? AND expires_at <= ?'),
    mark: Object.fromEntries(flags.map((flag) => [flag, db.prepare(markSql(FLAG_COLUMNS[flag]))])) as Record<
      DeskFlag,
      StatementSync
    >,
    feedback: db.prepare(
      `INSERT INTO desk_feedback (channel, answer_ts, user_id, at, data, expires_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET at = excluded.at, data = excluded.data, expires_at = excluded.expires_at`,
    ),
    question: db.prepare('INSERT INTO desk_questions (at, data, expires_at) VALUES (?, ?, ?)'),
    threadsSince: db.prepare(`SELECT ${THREAD_COLUMNS} FROM desk_threads WHERE at >= ? AND expires_at > ?`),
    feedbackSince: db.prepare(dataSql('desk_feedback')),
    questionsSince: db.prepare(dataSql('desk_questions')),
    forgetUser: db.prepare('DELETE FROM desk_feedback WHERE user_id = ?'),
  };
}

export class SqliteDesk implements DeskBook {
  readonly #sql: ReturnType<typeof prepareDesk>;

  constructor(
    db: DatabaseSync,
    private readonly calls: SqliteBatch,
  ) {
    this.#sql = prepareDesk(db);
  }

  thread(key: string): Promise<DeskThread | undefined> {
    return this.calls.read(() => {
      const row = this.#sql.thread.get(key, Date.now()) as ThreadRow | undefined;
      return row && threadOf(row);
    });
  }

  markThread(key: string, flag: DeskFlag, about: Pick<DeskThread, 'context' | 'channelKind'>, expiresAt: number) {
    return this.calls.write(() => {
      const now = Date.now();
      this.#sql.dropExpired.run(key, now);
      this.#sql.mark[flag].run(key, about.context, about.channelKind, now, expiresAt);
    });
  }

  recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void> {
    return this.calls.write(() => {
      const { channel, answerTs, user, at } = record;
      this.#sql.feedback.run(channel, answerTs, user, at, JSON.stringify(record), expiresAt);
    });
  }

  recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void> {
    return this.calls.write(() => void this.#sql.question.run(record.at, JSON.stringify(record), expiresAt));
  }

  threadsSince(since: number): Promise<DeskThread[]> {
    return this.calls.read(() => (this.#sql.threadsSince.all(since, Date.now()) as ThreadRow[]).map(threadOf));
  }

  feedbackSince(since: number): Promise<FeedbackRecord[]> {
    return this.calls.read(() => dataOf(this.#sql.feedbackSince, since) as FeedbackRecord[]);
  }

  questionsSince(since: number): Promise<QuestionRecord[]> {
    return this.calls.read(() => dataOf(this.#sql.questionsSince, since) as QuestionRecord[]);
  }

  forgetUser(user: string): Promise<number> {
    return this.calls.write(() => Number(this.#sql.forgetUser.run(user).changes));
  }
}

/** The records a `SELECT data …` statement finds from `since`. */
function dataOf(statement: StatementSync, since: number): unknown[] {
  return (statement.all(since, Date.now()) as { data: string }[]).map((row) => JSON.parse(row.data));
}
