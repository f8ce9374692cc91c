import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type Desk, kindOfChannel } from '../../desk/desk';
import type { Logger } from '../../logger';
import { actionPlace } from './desk-buttons';

const VALUES = { helpful: 'up', not_helpful: 'down' } as const;

/** Records 👍/👎 on an answer in the desk's book (the value and where, never the answer's text). */
export function createFeedbackListener(deps: { logger: Logger; desk?: Desk }) {
  return async ({ ack, body, action }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const raw = 'value' in action ? action.value : undefined;
    deps.logger.info('feedback', { value: raw, channel: body.channel?.id, ts: body.message?.ts, user: body.user.id });
    const value = raw === 'helpful' || raw === 'not_helpful' ? VALUES[raw] : undefined;
    const place = actionPlace(body);
    const context = place && deps.desk?.contextOf(place.channel);
    const answerTs = body.message?.ts;
    if (!deps.desk || !place || !context || !value || !answerTs) return;
    const record = {
      channel: place.channel,
      answerTs,
      user: body.user.id,
      value,
      context: context.name,
      at: Date.now(),
    };
    await deps.desk.feedback(record, { ...place, context, channelKind: kindOfChannel(place.channel) });
  };
}
