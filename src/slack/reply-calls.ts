// The Slack side of a reply: each planned step as the chat.* call it stands for.

import type { Logger } from '../logger';
import type { CallStep } from './reply-state';
import type { Content, ReplyTarget, SlackWriter } from './reply-types';
import { retryAfterOf } from './slack-errors';
import type { WriteBudget } from './write-budget';
import type { WriteMethod } from './write-limits';

function content(markdown: string, blocks: unknown[] | undefined): Content {
  return blocks
    ? { text: markdown, blocks: [{ type: 'markdown', text: markdown }, ...blocks] }
    : { markdown_text: markdown };
}

/** The budgeted method each step calls. */
export const METHOD_OF: Record<CallStep['kind'], WriteMethod> = {
  start: 'chat.startStream',
  post: 'chat.postMessage',
  append: 'chat.appendStream',
  stop: 'chat.stopStream',
  update: 'chat.update',
  abandon: 'chat.stopStream',
};

/** What each failed call is logged as; the state tells what happens next. */
export const FAILED_CALL_LOG: Record<
  Exclude<CallStep['kind'], 'start'>,
  { level: 'warn' | 'error' | 'debug'; message: string }
> = {
  post: { level: 'error', message: 'could not post the reply' },
  append: { level: 'warn', message: 'stream write failed; continuing in a new message' },
  stop: { level: 'warn', message: 'could not stop the stream; continuing in a new message' },
  update: { level: 'warn', message: 'could not update the reply; continuing in a new message' },
  abandon: { level: 'debug', message: 'could not stop the failed stream' },
};

/** Makes the step's call; resolves to the new message's ts, or the ts the step wrote to. */
export async function performStep(client: SlackWriter, target: ReplyTarget, step: CallStep): Promise<string> {
  const { chat } = client;
  const { channel, threadTs, isDm, userId, team } = target;
  switch (step.kind) {
    case 'start': {
      const recipients = isDm ? {} : { recipient_user_id: userId, recipient_team_id: team };
      // With chunks, the text goes as a chunk after them, so that the task shows above the answer.
      const body = step.chunks
        ? { chunks: [...step.chunks, { type: 'markdown_text', text: step.text }] }
        : { markdown_text: step.text };
      const response = await chat.startStream({ channel, thread_ts: threadTs, ...body, ...recipients });
      if (!response.ts) throw new Error('chat.startStream returned no ts');
      return response.ts;
    }
    case 'post': {
      const response = await chat.postMessage({ channel, thread_ts: threadTs, ...content(step.text, step.blocks) });
      if (!response.ts) throw new Error('chat.postMessage returned no ts');
      return response.ts;
    }
    case 'append':
      await chat.appendStream({ channel, ts: step.ts, markdown_text: step.text });
      return step.ts;
    case 'stop': {
      const markdown = step.text ? { markdown_text: step.text } : {};
      await chat.stopStream({ channel, ts: step.ts, ...markdown, ...(step.blocks ? { blocks: step.blocks } : {}) });
      return step.ts;
    }
    case 'update':
      await chat.update({ channel, ts: step.ts, ...content(step.text, step.blocks) });
      return step.ts;
    case 'abandon':
      await chat.stopStream({ channel, ts: step.ts });
      return step.ts;
  }
}

/** A call Slack rate limited is made again after Retry-After at most this often. */
const MAX_RATE_LIMITED_RETRIES = 2;
/** A stream start rate limited for longer than this is posted instead: words now beat a stream later. */
const START_RETRY_MAX_S = 2;

/**
 * Makes the step's call (`onAttempt` before each try). After a 429 the budget holds that method back for Retry-After
 * and shrinks its allowance; the call is made again then, except a stream's start told to wait long (better posted).
 */
export async function performWithRetries(
  deps: { client: SlackWriter; budget: Pick<WriteBudget, 'penalize'>; logger: Logger },
  target: ReplyTarget,
  step: CallStep,
  onAttempt: () => void,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    onAttempt();
    try {
      return await performStep(deps.client, target, step);
    } catch (err) {
      const retryAfter = retryAfterOf(err);
      if (retryAfter === undefined) throw err;
      const { team, channel, threadTs } = target;
      const method = METHOD_OF[step.kind];
      deps.budget.penalize(team, method, retryAfter * 1_000, method === 'chat.postMessage' ? channel : undefined);
      deps.logger.warn('Slack rate limited a reply write', { team, channel, threadTs, method, retryAfter });
      if (attempt > MAX_RATE_LIMITED_RETRIES || (step.kind === 'start' && retryAfter > START_RETRY_MAX_S)) throw err;
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1_000).unref());
    }
  }
}
