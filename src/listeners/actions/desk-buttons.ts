import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { describe } from '../../answering/describe-error';
import { type Desk, kindOfChannel } from '../../desk/desk';
import type { Logger } from '../../logger';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
const TS = /^\d+\.\d+$/;

/**
 * The thread a button was clicked in: an answer's thread, or (for the ephemeral offer after a 👎, which carries no
 * message) the thread named by the button's value.
 */
export function actionPlace(body: BlockAction): { team: string; channel: string; threadTs: string } | undefined {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const team = body.team?.id ?? body.user.team_id;
  const action = body.actions[0] as { value?: string } | undefined;
  const threadTs =
    body.message?.thread_ts ??
    body.container?.thread_ts ??
    (action?.value && TS.test(action.value) ? action.value : undefined) ??
    body.message?.ts;
  return channel && team && threadTs ? { team, channel, threadTs } : undefined;
}

/** "Talk to a person" under an answer, or offered after a 👎: hands the thread to a person. */
export function createHandoffButtonListener(deps: { desk: Desk; logger: Logger }) {
  return async ({ ack, body }: ActionArgs): Promise<void> => {
    await ack();
    const place = actionPlace(body);
    const context = place && deps.desk.contextOf(place.channel);
    if (!place || !context) return;
    const request = { ...place, context, channelKind: kindOfChannel(place.channel), user: body.user.id };
    await deps.desk.handOff({ ...request, via: 'button' }).catch((err: unknown) => {
      deps.logger.error('handoff failed', { channel: place.channel, error: describe(err) });
    });
  };
}

/** "Resolved" under an answer: the case is closed, acknowledged with a reaction on that answer. */
export function createResolvedButtonListener(deps: { desk: Desk; logger: Logger }) {
  return async ({ ack, body }: ActionArgs): Promise<void> => {
    await ack();
    const place = actionPlace(body);
    const context = place && deps.desk.contextOf(place.channel);
    const answerTs = body.message?.ts;
    if (!place || !context || !answerTs) return;
    await deps.desk.resolve({ ...place, context, channelKind: kindOfChannel(place.channel) }, answerTs);
  };
}
