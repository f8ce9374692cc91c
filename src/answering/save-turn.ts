/** Saving a question and its answer as the thread's next two turns. */
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import { countTokens } from '../conversation/tokens';
import type { Turn } from '../conversation/turn';
import { fileReferences } from '../files/file-ref';
import type { Logger } from '../logger';
import { safeText } from '../slack/safe-text';
import type { ThreadHistory } from '../store/thread-store';
import { describe } from './describe-error';

/** What saving a turn needs. */
export interface SaveDeps {
  history: Pick<ThreadHistory, 'append'>;
  retentionMs: number;
  logger: Logger;
}

/**
 * Appends the question and the answer. The answer is already in Slack: a store failure here is logged, never turned
 * into an apology. Token counts are stored once the thread is long enough for trimming to count them (`counted`),
 * so short threads never tokenize. A key pasted into a question, or echoed by the model, is not kept.
 */
export async function saveTurn(
  deps: SaveDeps,
  message: IncomingMessage,
  answer: { text: string; ts: string; counted: boolean },
): Promise<void> {
  const tokens = (text: string) => (answer.counted ? { tokens: countTokens(text) } : {});
  const [questionText, answerText] = [safeText(message.text), safeText(answer.text)];
  const turns: Turn[] = [
    {
      role: 'user',
      text: questionText,
      ts: message.ts,
      user: message.user,
      ...tokens(questionText),
      // References only (id, name, type), so a follow-up can fetch the images again; never the files' contents.
      ...(message.files ? { files: fileReferences(message.files) } : {}),
    },
    { role: 'assistant', text: answerText, ts: answer.ts, ...tokens(answerText) },
  ];
  await deps.history
    .append(threadKey(message), turns, Date.now() + deps.retentionMs)
    .catch((err: unknown) =>
      deps.logger.error('could not save the turn', { channel: message.channel, error: describe(err) }),
    );
}
