import type { FileReference } from '../files/file-ref';

/** One message of a thread as the bot remembers it. */
export interface Turn {
  /** Who spoke: a person (`user`) or the bot (`assistant`). */
  role: 'user' | 'assistant';
  /** The message text as sent to / produced by the model. */
  text: string;
  /** Slack ts of the message (for `assistant`, of the answer's first message). */
  ts: string;
  /** Slack user id of the person who wrote it; absent on assistant turns. */
  user?: string;
  /** Token count of `text`, computed once when stored so trimming long threads costs no tokenizing. */
  tokens?: number;
  /** Files attached to a user turn (id, name, type; never bytes), so a follow-up can fetch its images again. */
  files?: FileReference[];
}

/**
 * What makes a turn one of its kind in its thread, so that saving it again stores nothing: its role and Slack ts.
 * A question is saved as the `user` turn of its own ts; its answer as the `assistant` turn of the answer's first
 * message (all of a split answer is one turn), or of the question's ts when no message was written: the role keeps
 * those two apart.
 */
export function turnId(turn: Pick<Turn, 'role' | 'ts'>): string {
  return `${turn.role}:${turn.ts}`;
}

const SLACK_TS = /^(\d+)\.?(\d*)$/;
const DOT = 46;

/** Slack ts order ("1700000000.000100"), exact at every digit; a ts of another shape orders as equal. */
function compareTs(a: string, b: string): number {
  // Slack's own shape (ten digits, a dot, six digits) compares as text, without a regular expression per turn.
  if (a.length === b.length && a.charCodeAt(a.length - 7) === DOT && b.charCodeAt(b.length - 7) === DOT) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = SLACK_TS.exec(a);
  const y = SLACK_TS.exec(b);
  if (!x || !y) return 0;
  const whole = x[1].length - y[1].length || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
  if (whole !== 0) return whole;
  const [fx, fy] = [x[2].padEnd(6, '0'), y[2].padEnd(6, '0')];
  return fx < fy ? -1 : fx > fy ? 1 : 0;
}

/**
 * The thread's exchanges in the order they were asked. Stores keep turns in the order they were saved, and a save
 * that failed is tried again later (save-turn.ts): by then the thread's next exchange may be stored before it. An
 * exchange (a question and the answer saved with it) stays together and is placed by its question's ts: an answer
 * posted after the asker's next question still belongs right after its own question. Most threads are in order
 * already and come back as they are.
 */
export function inThreadOrder(turns: Turn[]): Turn[] {
  const asked: string[] = [];
  for (const [i, turn] of turns.entries()) {
    asked.push(turn.role === 'assistant' && i > 0 && turns[i - 1].role === 'user' ? asked[i - 1] : turn.ts);
  }
  for (let i = 1; i < turns.length; i++) {
    if (compareTs(asked[i - 1], asked[i]) > 0) {
      const order = turns.map((_, n) => n).sort((a, b) => compareTs(asked[a], asked[b]) || a - b);
      return order.map((n) => turns[n]);
    }
  }
  return turns;
}
