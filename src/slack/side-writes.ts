// Slack writes besides the streamed answer (apologies, status lines, suggested prompts, deletions), kept inside the
// shared write budget.
import type { SuggestedPrompt } from '../conversation/context';
import type { Logger } from '../logger';
import { retryAfterOf, slackErrorCode } from './slack-errors';
import type { WriteBudget } from './write-budget';
import type { WriteMethod } from './write-limits';

export interface ThreadPlace {
  team: string;
  channel: string;
  threadTs: string;
  /** The reference id of the answer this write belongs to, for the log lines. */
  ref?: string;
}

/** Slack writes besides the streamed answer: short posts, status lines and deletions, all inside the write budget. */
export interface SideWriter {
  /** Posts a short message in a thread (apology, refusal, notice), waiting its turn in the budget (per channel ~1/s). Resolves to its ts, or undefined when it could not be posted (logged, no text). Never rejects. */
  post(place: ThreadPlace, text: string): Promise<string | undefined>;
  /** Sets (or clears with '') the thread's status line if the budget has room now; dropped (debug log) otherwise. Never rejects. */
  status(place: ThreadPlace, status: string): Promise<void>;
  /** Offers suggested prompts in a DM, as `status` does: only while the workspace is calm and the budget has room. */
  suggestPrompts(team: string, channel: string, prompts: SuggestedPrompt[]): Promise<void>;
  /** Deletes a message the bot wrote, waiting its turn. Never rejects; false when it failed. */
  remove(place: Pick<ThreadPlace, 'team' | 'channel'>, ts: string): Promise<boolean>;
  /** Makes any other write (`run`) in its turn in the budget, once more after a 429's Retry-After; throws the last error. */
  budgeted<T>(team: string, method: WriteMethod, channel: string, run: () => Promise<T>): Promise<T>;
}

/**
 * The Web API methods side writes use: a structural subset of WebClient. Give it a client of its own built with
 * `rejectRateLimitedCalls: true`: WebClient pauses its whole request queue on a 429, which would stall the answers
 * streaming through the main client.
 */
export interface SideClient {
  chat: {
    postMessage(args: { channel: string; thread_ts: string; text: string }): Promise<{ ts?: string }>;
    delete(args: { channel: string; ts: string }): Promise<unknown>;
  };
  assistant: {
    threads: {
      setStatus(args: { channel_id: string; thread_ts: string; status: string }): Promise<unknown>;
      setSuggestedPrompts(args: { channel_id: string; prompts: SuggestedPrompt[] }): Promise<unknown>;
    };
  };
}

export function createSideWriter(deps: { client: SideClient; budget: WriteBudget; logger: Logger }): SideWriter {
  const { client, budget, logger } = deps;

  /** Resolves when the budget grants this call; waiting callers are woken by the budget's timer, in order. */
  function turn(team: string, method: WriteMethod, channel: string): Promise<void> {
    if (budget.tryTake(team, method, channel)) return Promise.resolve();
    return new Promise((resolve) => {
      const again = () =>
        budget.tryTake(team, method, channel) ? resolve() : budget.whenFree(team, method, again, channel);
      budget.whenFree(team, method, again, channel);
    });
  }

  /** Slack said 429: the budget holds the method back (in this channel, for a per-channel limit) for Retry-After. */
  function coolDown(team: string, method: WriteMethod, channel: string, seconds: number): void {
    budget.penalize(team, method, seconds * 1_000, method === 'chat.postMessage' ? channel : undefined);
  }

  /** Makes a budgeted call; a 429 holds the method back for its Retry-After (for every caller). */
  async function attempt<T>(team: string, method: WriteMethod, channel: string, run: () => Promise<T>): Promise<T> {
    await turn(team, method, channel);
    try {
      return await run();
    } catch (err) {
      const retryAfter = retryAfterOf(err);
      if (retryAfter !== undefined) coolDown(team, method, channel, retryAfter);
      throw err;
    }
  }

  /** Makes a budgeted call, once more after a 429's Retry-After; throws the last error. */
  async function call<T>(team: string, method: WriteMethod, channel: string, run: () => Promise<T>): Promise<T> {
    try {
      return await attempt(team, method, channel, run);
    } catch (err) {
      if (retryAfterOf(err) === undefined) throw err;
      logger.debug('side write rate limited; retrying after Retry-After', { team, method });
      return attempt(team, method, channel, run);
    }
  }

  /**
   * A write only worth making now (a status line, suggested prompts), and the first thing to give up under pressure:
   * made only while the workspace is calm and the budget has room at once, never queued. A 429 holds the method back.
   */
  async function onlyIfCalm(
    team: string,
    method: WriteMethod,
    channel: string,
    where: Record<string, string>,
    run: () => Promise<unknown>,
  ): Promise<void> {
    if (budget.pressure(team) !== 'calm' || !budget.tryTake(team, method, channel)) {
      logger.debug('side write dropped: the write budget is under pressure', { ...where, method });
      return;
    }
    try {
      await run();
    } catch (err) {
      const retryAfter = retryAfterOf(err);
      if (retryAfter !== undefined) coolDown(team, method, channel, retryAfter);
      logger.debug('side write not made', { ...where, method, error: slackErrorCode(err) });
    }
  }

  return {
    budgeted: call,

    async post(place, text) {
      const { team, channel, threadTs } = place;
      const where = { ...(place.ref !== undefined && { ref: place.ref }), team, channel, threadTs };
      try {
        const response = await call(team, 'chat.postMessage', channel, () =>
          client.chat.postMessage({ channel, thread_ts: threadTs, text }),
        );
        if (!response.ts) throw new Error('chat.postMessage returned no ts');
        return response.ts;
      } catch (err) {
        logger.warn('could not post in the thread', { ...where, error: slackErrorCode(err) });
        return undefined;
      }
    },

    async status(place, status) {
      const { team, channel, threadTs } = place;
      const where = { ...(place.ref !== undefined && { ref: place.ref }), team, channel, threadTs };
      await onlyIfCalm(team, 'assistant.threads.setStatus', channel, where, () =>
        client.assistant.threads.setStatus({ channel_id: channel, thread_ts: threadTs, status }),
      );
    },

    async suggestPrompts(team, channel, prompts) {
      // No thread_ts: an agent-view app sets the prompts for the conversation (with one, the call silently fails).
      await onlyIfCalm(team, 'assistant.threads.setSuggestedPrompts', channel, { team, channel }, () =>
        client.assistant.threads.setSuggestedPrompts({ channel_id: channel, prompts }),
      );
    },

    async remove(place, ts) {
      const { team, channel } = place;
      try {
        await call(team, 'chat.delete', channel, () => client.chat.delete({ channel, ts }));
        return true;
      } catch (err) {
        logger.warn('could not delete a message', { team, channel, ts, error: slackErrorCode(err) });
        return false;
      }
    },
  };
}
