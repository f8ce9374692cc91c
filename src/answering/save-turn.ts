/** Saving a question and its answer as the thread's next two turns. */
import { setTimeout as sleep } from 'node:timers/promises';
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import { countTokens } from '../conversation/tokens';
import type { Turn } from '../conversation/turn';
import { fileReferences } from '../files/file-ref';
import type { Logger } from '../logger';
import { safeText } from '../slack/safe-text';
import type { ThreadHistory } from '../store/thread-store';
import type { Backoff } from './backoff';
import { describe } from './describe-error';

/** How a failed save is tried again. */
export const SAVE_RETRIES: Backoff = { pauseMs: 500, maxPauseMs: 8_000, giveUpMs: 30_000 };

/** What saving a turn needs. */
export interface SaveDeps {
  history: Pick<ThreadHistory, 'append'>;
  retentionMs: number;
  logger: Logger;
  retries?: Backoff;
}

/**
 * Appends the question and the answer. The answer is already in Slack: a store failure here is logged, never turned
 * into an apology. Token counts are stored once the thread is long enough for trimming to count them (`counted`),
 * so short threads never tokenize. A key pasted into a question, or echoed by the model, is not kept.
 *
 * Resolves after the first try. A failed one may have landed all the same (a timeout: the store went on with it),
 * and the store keeps a turn once however often it is appended: it is tried again in the background, so that the
 * turn is not lost to a slow store and the thread's next question does not wait for it.
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
  const save = () => deps.history.append(threadKey(message), turns, Date.now() + deps.retentionMs);
  const where = { channel: message.channel, ts: message.ts };
  try {
    await save();
  } catch (err) {
    deps.logger.warn('could not save the turn yet; retrying', { ...where, error: describe(err) });
    void saveAgain(save, deps.retries ?? SAVE_RETRIES, deps.logger, where);
  }
}

/** Tries again, the pause doubling each time, until a try works or the next would start past `giveUpMs`. */
async function saveAgain(
  save: () => Promise<void>,
  retries: Backoff,
  logger: Logger,
  where: Record<string, string>,
): Promise<void> {
  const until = Date.now() + retries.giveUpMs;
  let pause = retries.pauseMs;
  for (let attempt = 2; ; attempt++) {
    await sleep(pause, undefined, { ref: false });
    try {
      await save();
      logger.info('saved the turn', { ...where, attempt });
      return;
    } catch (err) {
      pause = Math.min(pause * 2, retries.maxPauseMs);
      if (Date.now() + pause > until) {
        logger.error('could not save the turn', { ...where, attempts: attempt, error: describe(err) });
        return;
      }
    }
  }
}
