import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { describe } from '../../answering/describe-error';
import type { ContextRegistry } from '../../conversation/context';
import type { Logger } from '../../logger';

type HomeOpenedArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/**
 * Someone opened the bot's DM (the agent view's Messages tab): offer the DM context's suggested prompts, so that
 * editing them in the context file changes what people see without reinstalling the app.
 */
export function createHomeOpenedListener(deps: { contexts: ContextRegistry; logger: Logger }) {
  return async ({ event, client }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== 'messages' || !event.channel) return;
    const prompts = deps.contexts.forChannel(event.channel, true)?.suggestedPrompts ?? [];
    if (prompts.length === 0) return;
    try {
      // No thread_ts: an agent-view app sets the prompts for the conversation (with one, the call silently fails).
      await client.assistant.threads.setSuggestedPrompts({ channel_id: event.channel, prompts });
    } catch (err) {
      deps.logger.warn('could not set the suggested prompts', {
        channel: event.channel,
        error: describe(err),
      });
    }
  };
}
