import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { describe } from '../../answering/describe-error';
import type { ContextRegistry } from '../../conversation/context';
import type { DeskWriter } from '../../desk/desk-writes';
import { adminHome, everyoneHome } from '../../desk/home-view';
import type { Logger } from '../../logger';
import type { PriceTable } from '../../ops/prices';
import type { DeskBook } from '../../store/desk-book';

type HomeOpenedArgs = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** What the Home tab needs: the desk's book, who may see its figures, and prices for the cost estimate. */
export interface HomeDeps {
  book: DeskBook;
  writer: DeskWriter;
  admins: string[];
  prices: PriceTable;
  model: string;
}

/**
 * Someone opened the bot's DM (the agent view's Messages tab): offer the DM context's suggested prompts, so that
 * editing them in the context file changes what people see without reinstalling the app. Someone opened the Home
 * tab: desk admins see the desk's figures, everyone else a few words on what the bot does.
 */
export function createHomeOpenedListener(deps: { contexts: ContextRegistry; logger: Logger; home?: HomeDeps }) {
  return async ({ event, client, body }: HomeOpenedArgs): Promise<void> => {
    if (event.tab === 'home' && deps.home) {
      const { home } = deps;
      try {
        const admin = home.admins.includes(event.user);
        const blocks = admin ? await adminHome(home.book, home.prices, home.model) : everyoneHome();
        await home.writer.publishHome(body.team_id, event.user, blocks);
      } catch (err) {
        deps.logger.warn('could not build the Home tab', { error: describe(err) });
      }
      return;
    }
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
