import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { QuestionHandler } from '../../answering/question-handler';
import type { Logger } from '../../logger';

type QuestionArgs = SlackEventMiddlewareArgs<'message' | 'app_mention'> & AllMiddlewareArgs;

/** One listener for `message` and `app_mention`: the handler dedupes the two deliveries of a mention. */
export function createQuestionListener(deps: { handler: QuestionHandler; logger: Logger }) {
  return async ({ event, body }: QuestionArgs): Promise<void> => {
    try {
      await deps.handler.onEvent(event, body.team_id);
    } catch (err) {
      deps.logger.error('could not take the message', {
        eventId: body.event_id,
        error: err instanceof Error ? { name: err.name, message: err.message } : String(err),
      });
    }
  };
}
