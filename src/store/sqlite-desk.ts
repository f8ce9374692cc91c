/** The desk's book in SQLite: three tables beside the threads, each row expiring with history retention. */
import type { DatabaseSync } from 'node:sqlite';
import type { DeskBook, DeskFlag, DeskThread, FeedbackRecord, QuestionRecord } from './desk-book';
import { FLAG_COLUMNS, type ThreadRow, threadOf } from './desk-sql';

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

export class SqliteDesk implements DeskBook {
  constructor(
    private readonly db: DatabaseSync,
    private readonly run: <T>(operation: () => T) => Promise<T>,
  ) {}

  thread(key: string): Promise<DeskThread | undefined> {
    return this.run(() => {
      const sql = `SELECT ${THREAD_COLUMNS} FROM desk_threads WHERE key = ? AND expires_at > ?`;
      const row = this.db.prepare(sql).get(key, Date.now()) as ThreadRow | undefined;
      return row && threadOf(row);
    });
  }

  markThread(key: string, flag: DeskFlag, about: Pick<DeskThread, 'context' | 'channelKind'>, expiresAt: number) {
    const column = FLAG_COLUMNS[flag];
    return this.run(() => {
      const now = Date.now();
      this.db.prepare('DELETE FROM desk_threads WHERE key = ? AND expires_at <= ?').run(key, now);
      this.db
        .prepare(
          `INSERT INTO desk_threads (key, context, channel_kind, at, ${column}, expires_at) VALUES (?, ?, ?, ?, 1, ?)
          ON CONFLICT (key) DO UPDATE SET ${column} = 1, expires_at = MAX(expires_at, excluded.expires_at)`,
        )
        .run(key, about.context, about.channelKind, now, expiresAt);
    });
  }

  recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void> {
    return this.run(() => {
      this.db
        .prepare(
          `INSERT INTO desk_feedback (channel, answer_ts, user_id, at, data, expires_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT DO UPDATE SET at = excluded.at, data = excluded.data, expires_at = excluded.expires_at`,
        )
        .run(record.channel, record.answerTs, record.user, record.at, JSON.stringify(record), expiresAt);
    });
  }

  recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void> {
    return this.run(() => {
      this.db
        .prepare('INSERT INTO desk_questions (at, data, expires_at) VALUES (?, ?, ?)')
        .run(record.at, JSON.stringify(record), expiresAt);
    });
  }

  threadsSince(since: number): Promise<DeskThread[]> {
    return this.run(() => {
      const sql = `SELECT ${THREAD_COLUMNS} FROM desk_threads WHERE at >= ? AND expires_at > ?`;
      return (this.db.prepare(sql).all(since, Date.now()) as ThreadRow[]).map(threadOf);
    });
  }

  feedbackSince(since: number): Promise<FeedbackRecord[]> {
    return this.run(() => this.#data('desk_feedback', since) as FeedbackRecord[]);
  }

  questionsSince(since: number): Promise<QuestionRecord[]> {
    return this.run(() => this.#data('desk_questions', since) as QuestionRecord[]);
  }

  forgetUser(user: string): Promise<number> {
    return this.run(() => Number(this.db.prepare('DELETE FROM desk_feedback WHERE user_id = ?').run(user).changes));
  }

  #data(table: string, since: number): unknown[] {
    const sql = `SELECT data FROM ${table} WHERE at >= ? AND expires_at > ? ORDER BY at`;
    return (this.db.prepare(sql).all(since, Date.now()) as { data: string }[]).map((row) => JSON.parse(row.data));
  }
}
