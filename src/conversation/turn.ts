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
