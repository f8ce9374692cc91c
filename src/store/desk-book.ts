/** The support desk's records: per-thread decisions, 👍/👎 feedback and one record per question (no message text). */

/** Where a question was asked: a channel (public or private), a DM, or a group DM. */
export type ChannelKind = 'channel' | 'dm' | 'group';

/** What the bot decided about a thread; each flag, once set, stays set until the thread's record expires. */
export type DeskFlag = 'steppedBack' | 'handedOff' | 'resolved';

/** The desk's state of one thread (`team:channel:thread_ts`). */
export interface DeskThread {
  key: string;
  context: string;
  channelKind: ChannelKind;
  /** When the thread was first marked, epoch ms. */
  at: number;
  steppedBack: boolean;
  handedOff: boolean;
  resolved: boolean;
}

/** One person's 👍/👎 on one answer; a second click by the same person replaces the first. */
export interface FeedbackRecord {
  channel: string;
  answerTs: string;
  user: string;
  value: 'up' | 'down';
  context: string;
  at: number;
}

/** How a question ended. */
export type QuestionOutcome = 'answered' | 'failed' | 'refused' | 'handed_off';

/** One question, measured: no message text. */
export interface QuestionRecord {
  /** The thread key, to join with the thread's desk state. */
  thread: string;
  /** The question's ts (with `thread`, unique). */
  ts: string;
  /** The first message of the answer, to join with feedback. */
  answerTs?: string;
  channel: string;
  context: string;
  channelKind: ChannelKind;
  outcome: QuestionOutcome;
  at: number;
  /** Question event to first visible text of the answer, ms. */
  firstVisibleMs?: number;
  /** Question event to the answer's last write, ms. */
  durationMs?: number;
  tokensIn: number;
  tokensCached: number;
  tokensOut: number;
  /** Files attached to the question. */
  files: number;
  /** The model that answered, for the cost estimate. */
  model?: string;
}

/** The desk's book, on every backend; every record expires at the `expiresAt` given (history retention). */
export interface DeskBook {
  /** The thread's state, or undefined when nothing was decided about it (or it expired). */
  thread(key: string): Promise<DeskThread | undefined>;
  /** Sets `flag` on the thread (never clears one); `about` is kept from the first mark. */
  markThread(
    key: string,
    flag: DeskFlag,
    about: Pick<DeskThread, 'context' | 'channelKind'>,
    expiresAt: number,
  ): Promise<void>;
  /** Stores feedback, replacing the same person's earlier feedback on the same answer. */
  recordFeedback(record: FeedbackRecord, expiresAt: number): Promise<void>;
  /** Stores one question's record. */
  recordQuestion(record: QuestionRecord, expiresAt: number): Promise<void>;
  /** Threads first marked at or after `since`. */
  threadsSince(since: number): Promise<DeskThread[]>;
  /** Feedback given at or after `since`. */
  feedbackSince(since: number): Promise<FeedbackRecord[]>;
  /** Questions asked at or after `since`. */
  questionsSince(since: number): Promise<QuestionRecord[]>;
  /** Erasure on request: deletes the person's feedback (the only desk record naming a person); returns how many. */
  forgetUser(user: string): Promise<number>;
}

/** A fresh thread state with no flag set. */
export function unmarkedThread(key: string, about: Pick<DeskThread, 'context' | 'channelKind'>, at: number) {
  return { key, ...about, at, steppedBack: false, handedOff: false, resolved: false } satisfies DeskThread;
}
