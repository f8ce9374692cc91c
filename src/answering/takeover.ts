/** Taking over a question from a dead instance: is it answered already, and what of its answer must go first. */
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import type { Logger } from '../logger';
import type { SideWriter } from '../slack/side-writes';
import type { ThreadHistory } from '../store/thread-store';
import { within } from './deadline';
import { HISTORY_TIMEOUT_MS } from './load-history';

/** A claim whose `complete` was lost while its answer was saved: the answer is there, nothing to redo. */
export async function alreadyAnswered(
  history: Pick<ThreadHistory, 'load'>,
  message: IncomingMessage,
): Promise<boolean> {
  const turns = await within(history.load(threadKey(message)), HISTORY_TIMEOUT_MS, 'loading the thread').catch(
    () => [],
  );
  return turns.some((turn) => turn.role === 'user' && turn.ts === message.ts);
}

/**
 * What a dead instance had written of its answer (a stream cut off mid-sentence) goes, so the asker sees one whole
 * answer; only messages recorded as written for this question, never another question's answer.
 */
export async function removeWritten(
  side: Pick<SideWriter, 'remove'>,
  message: IncomingMessage,
  written: string[],
  log: Logger,
): Promise<void> {
  for (const ts of written) {
    if (await side.remove(message, ts)) log.info('removed a reply left unfinished', { ts });
    else log.warn('could not remove a reply left unfinished', { ts });
  }
}
