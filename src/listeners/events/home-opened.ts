import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { describe } from '../../answering/describe-error';
import type { ContextRegistry } from '../../conversation/context';
import type { DeskWriter } from '../../desk/desk-writes';
import { adminHome, everyoneHome } from '../../desk/home-view';
import type { Logger } from '../../logger';
import type { PriceTable } from '../../ops/prices';
import type { SideWriter } from '../../slack/side-writes';
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

/** The same prompts are not offered again in the same DM within this time (someone going back and forth between tabs). */
export const REOFFER_AFTER_MS = 60_000;
/** DMs remembered for that: the oldest is forgotten first. */
const REMEMBERED_DMS = 10_000;

/**
 * Someone opened the bot's DM (the agent view's Messages tab): offer the DM context's suggested prompts, so that
 * editing them in the context file changes what people see without reinstalling the app. The call is a side write
 * like a status line: inside the workspace's write budget and the first dropped when answers need the room. Someone
 * opened the Home tab: desk admins see the desk's figures, everyone else a few words on what the bot does.
 */
export function createHomeOpenedListener(deps: {
  contexts: ContextRegistry;
  side: Pick<SideWriter, 'suggestPrompts'>;
  logger: Logger;
  home?: HomeDeps;
}) {
  const offered = new Map<string, { prompts: string; at: number }>();
  const offeredLately = (channel: string, prompts: string): boolean => {
    const last = offered.get(channel);
    if (last && last.prompts === prompts && Date.now() - last.at < REOFFER_AFTER_MS) return true;
    offered.delete(channel);
    offered.set(channel, { prompts, at: Date.now() });
    if (offered.size > REMEMBERED_DMS) offered.delete(offered.keys().next().value as string);
    return false;
  };

  return async ({ event, body }: HomeOpenedArgs): Promise<void> => {
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
    if (prompts.length === 0 || offeredLately(event.channel, JSON.stringify(prompts))) return;
    await deps.side.suggestPrompts(body.team_id, event.channel, prompts);
  };
}
