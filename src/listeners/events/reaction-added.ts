import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { describe } from '../../answering/describe-error';
import type { RepliesReader } from '../../answering/thread-history';
import type { Desk } from '../../desk/desk';
import { resolveByReaction } from '../../desk/reactions';
import type { Logger } from '../../logger';
import type { ThreadHistory } from '../../store/thread-store';

type ReactionArgs = SlackEventMiddlewareArgs<'reaction_added'> & AllMiddlewareArgs;

/** ✅ from the asker resolves the case (see resolveByReaction). */
export function createReactionListener(deps: {
  desk: Desk;
  slack: RepliesReader;
  history: Pick<ThreadHistory, 'has'>;
  botUserId: string;
  logger: Logger;
}) {
  return async ({ event, body }: ReactionArgs): Promise<void> => {
    try {
      await resolveByReaction(deps, event, body.team_id);
    } catch (err) {
      deps.logger.warn('could not handle a reaction', { error: describe(err) });
    }
  };
}
