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
