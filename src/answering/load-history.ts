/** The thread's earlier turns for an answer: from the store, or read from Slack when the store has none. */
import { type IncomingMessage, replyPlace, threadKey } from '../conversation/incoming';
import { inThreadOrder, type Turn } from '../conversation/turn';
import type { Logger } from '../logger';
import type { ThreadHistory } from '../store/thread-store';
import { within } from './deadline';
import { describe } from './describe-error';
import { type RepliesReader, readThreadFromSlack } from './thread-history';

/** Longest wait for a thread's history, from the store or from Slack, before answering without it. */
export const HISTORY_TIMEOUT_MS = 10_000;

/** What loading a thread needs. */
export interface HistoryDeps {
  history: Pick<ThreadHistory, 'load'>;
  slack: RepliesReader;
  botUserId: string;
  logger: Logger;
}

/**
 * The turns before `message` in its thread. A message that starts a thread has none, so nothing is loaded and the
 * model is asked a round trip sooner. A store that fails or is slow is passed over for Slack's copy of the thread.
 */
export async function loadHistory(
  deps: HistoryDeps,
  message: IncomingMessage,
  mayQuote: (user: string, userTeam: string | undefined) => boolean,
  ref: string,
): Promise<Turn[]> {
  if (!message.threadTs) return [];
  const stored = await within(deps.history.load(threadKey(message)), HISTORY_TIMEOUT_MS, 'loading the thread').catch(
    (err: unknown) => {
      deps.logger.warn('could not load the thread: answering without its history', { ref, error: describe(err) });
      return [];
    },
  );
  if (stored.length > 0) return inThreadOrder(stored);
  const { channel, threadTs } = replyPlace(message);
  const read = readThreadFromSlack(deps.slack, {
    channel,
    threadTs,
    beforeTs: message.ts,
    botUserId: deps.botUserId,
    mayQuote,
  });
  return within(read, HISTORY_TIMEOUT_MS, 'reading the thread from Slack').catch((err: unknown) => {
    deps.logger.warn('could not read the thread from Slack', { ref, error: describe(err) });
    return [];
  });
}
