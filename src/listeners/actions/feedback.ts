import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../logger';

/** Records 👍/👎 on an answer: the value and where, never the answer's text. */
export function createFeedbackListener(deps: { logger: Logger }) {
  return async ({ ack, body, action }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const value = 'value' in action ? action.value : undefined;
    deps.logger.info('feedback', { value, channel: body.channel?.id, ts: body.message?.ts, user: body.user.id });
  };
}
