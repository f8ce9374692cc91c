/**
 * The desk's book in Redis: a hash per marked thread (`d:`) indexed by a sorted set (`di`), feedback in one hash
 * (`fb`, one field per answer and person), questions in a sorted set (`q`) scored by when they were asked.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { DeskBook, DeskFlag, DeskThread, FeedbackRecord, QuestionRecord } from './desk-book';

type Stored<T> = T & { expiresAt: number };

export class RedisDesk implements DeskBook {
  constructor(
    private readonly client: RedisClientType,
    private readonly key: (name: string) => string,
    private readonly run: <T>(operation: () => Promise<T>) => Promise<T>,
  ) {}

  thread(key: string): Promise<DeskThread | undefined> {
    return this.run(async () => {
      const fields = await this.client.hGetAll(this.key(`d:${key}`));
      return fields.context === undefined ? undefined : threadOf(key, fields);
    });
  }

  markThread(key: string, flag: DeskFlag, about: Pick<DeskThread, 'context' | 'channelKind'>, expiresAt: number) {
    const hash = this.key(`d:${key}`);
    const now = Date.now();
    // Fields set if absent keep the first mark's context and time; flags only ever become '1'; expiry only grows.
    const multi = this.client
      .multi()
      .hSetNX(hash, 'context', about.context)
      .hSetNX(hash, 'channelKind', about.channelKind)
      .hSetNX(hash, 'at', `${now}`)
      .hSet(hash, flag, '1')
      .pExpireAt(hash, expiresAt, 'NX')
      .pExpireAt(hash, expiresAt, 'GT')
      .zAdd(this.key('di'), { score: now, value: key }, { condition: 'NX' });
    return this.run(async () => void (await multi.exec()));
  }

  recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void> {
    const field = `${record.channel}:${record.answerTs}:${record.user}`;
    const value = JSON.stringify({ ...record, expiresAt });
    return this.run(async () => void (await this.client.hSet(this.key('fb'), field, value)));
  }

  recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void> {
    // Records older than this one's retention have expired: they go as the new one comes.
    const retention = expiresAt - record.at;
    const member = JSON.stringify({ ...record, expiresAt, id: randomUUID() });
    const multi = this.client
      .multi()
      .zAdd(this.key('q'), { score: record.at, value: member })
      .zRemRangeByScore(this.key('q'), '-inf', `(${Date.now() - retention}`);
    return this.run(async () => void (await multi.exec()));
  }

  threadsSince(since: number): Promise<DeskThread[]> {
    return this.run(async () => {
      const keys = await this.client.zRangeByScore(this.key('di'), since, '+inf');
      const threads: DeskThread[] = [];
      const gone: string[] = [];
      for (const key of keys) {
        const fields = await this.client.hGetAll(this.key(`d:${key}`));
        if (fields.context === undefined) gone.push(key);
        else threads.push(threadOf(key, fields));
      }
      if (gone.length > 0) await this.client.zRem(this.key('di'), gone);
      return threads;
    });
  }

  feedbackSince(since: number): Promise<FeedbackRecord[]> {
    return this.run(async () => {
      const now = Date.now();
      const all = Object.entries(await this.client.hGetAll(this.key('fb')));
      const parsed = all.map(([field, json]) => [field, JSON.parse(json) as Stored<FeedbackRecord>] as const);
      const expired = parsed.filter(([, record]) => record.expiresAt <= now).map(([field]) => field);
      if (expired.length > 0) await this.client.hDel(this.key('fb'), expired);
      return parsed
        .filter(([, record]) => record.expiresAt > now && record.at >= since)
        .map(([, { expiresAt: _, ...record }]) => record);
    });
  }

  forgetUser(user: string): Promise<number> {
    return this.run(async () => {
      const all = Object.entries(await this.client.hGetAll(this.key('fb')));
      const theirs = all.filter(([, json]) => (JSON.parse(json) as FeedbackRecord).user === user).map(([f]) => f);
      return theirs.length > 0 ? this.client.hDel(this.key('fb'), theirs) : 0;
    });
  }

  questionsSince(since: number): Promise<QuestionRecord[]> {
    return this.run(async () => {
      const now = Date.now();
      const members = await this.client.zRangeByScore(this.key('q'), since, '+inf');
      return members
        .map((json) => JSON.parse(json) as Stored<QuestionRecord> & { id: string })
        .filter((record) => record.expiresAt > now)
        .map(({ expiresAt: _, id: __, ...record }) => record);
    });
  }
}

function threadOf(key: string, fields: Record<string, string>): DeskThread {
  return {
    key,
    context: fields.context,
    channelKind: fields.channelKind as DeskThread['channelKind'],
    at: Number(fields.at),
    steppedBack: fields.steppedBack === '1',
    handedOff: fields.handedOff === '1',
    resolved: fields.resolved === '1',
  };
}
