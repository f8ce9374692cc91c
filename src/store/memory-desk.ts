/** The desk's book in process memory (`memory://`). */
import {
  type DeskBook,
  type DeskFlag,
  type DeskThread,
  type FeedbackRecord,
  type QuestionRecord,
  unmarkedThread,
} from './desk-book';

type Expiring<T> = { value: T; expiresAt: number };

export class MemoryDesk implements DeskBook {
  readonly #threads = new Map<string, Expiring<DeskThread>>();
  readonly #feedback = new Map<string, Expiring<FeedbackRecord>>();
  #questions: Expiring<QuestionRecord>[] = [];

  constructor(private readonly open: () => void) {}

  async thread(key: string): Promise<DeskThread | undefined> {
    const entry = this.#live(this.#threads).get(key);
    return entry ? { ...entry.value } : undefined;
  }

  async markThread(
    key: string,
    flag: DeskFlag,
    about: Pick<DeskThread, 'context' | 'channelKind'>,
    expiresAt: number,
  ): Promise<void> {
    const entry = this.#live(this.#threads).get(key) ?? { value: unmarkedThread(key, about, Date.now()), expiresAt };
    entry.value = { ...entry.value, [flag]: true };
    entry.expiresAt = Math.max(entry.expiresAt, expiresAt);
    this.#threads.set(key, entry);
  }

  async recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void> {
    this.#live(this.#feedback).set(`${record.channel}:${record.answerTs}:${record.user}`, {
      value: { ...record },
      expiresAt,
    });
  }

  async recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void> {
    this.open();
    this.#questions = this.#questions.filter((entry) => entry.expiresAt > Date.now());
    this.#questions.push({ value: { ...record }, expiresAt });
  }

  async threadsSince(since: number): Promise<DeskThread[]> {
    return [...this.#live(this.#threads).values()].map((e) => ({ ...e.value })).filter((t) => t.at >= since);
  }

  async feedbackSince(since: number): Promise<FeedbackRecord[]> {
    return [...this.#live(this.#feedback).values()].map((e) => ({ ...e.value })).filter((f) => f.at >= since);
  }

  async questionsSince(since: number): Promise<QuestionRecord[]> {
    this.open();
    const now = Date.now();
    return this.#questions.filter((e) => e.expiresAt > now && e.value.at >= since).map((e) => ({ ...e.value }));
  }

  async forgetUser(user: string): Promise<number> {
    let deleted = 0;
    for (const [key, entry] of this.#live(this.#feedback)) {
      if (entry.value.user === user && this.#feedback.delete(key)) deleted++;
    }
    return deleted;
  }

  /** The map with its expired entries dropped; throws once the store is closed. */
  #live<T>(map: Map<string, Expiring<T>>): Map<string, Expiring<T>> {
    this.open();
    const now = Date.now();
    for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    return map;
  }
}
