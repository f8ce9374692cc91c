import type { App } from '@slack/bolt';
import type { QuestionHandler } from '../answering/question-handler';
import type { ContextRegistry } from '../conversation/context';
import type { Logger } from '../logger';
import { FEEDBACK_ACTION_ID } from '../slack/feedback';
import { createFeedbackListener } from './actions/feedback';
import { createHomeOpenedListener } from './events/home-opened';
import { createQuestionListener } from './events/question';

/** Wires Bolt events and actions to their handlers. */
export function registerListeners(
  app: App,
  deps: { handler: QuestionHandler; contexts: ContextRegistry; logger: Logger },
): void {
  const question = createQuestionListener(deps);
  app.event('message', question);
  app.event('app_mention', question);
  app.event('app_home_opened', createHomeOpenedListener(deps));
  app.action({ type: 'block_actions', action_id: FEEDBACK_ACTION_ID }, createFeedbackListener(deps));
  app.error(async (error) => {
    deps.logger.error('unhandled Bolt error', { name: error.name, message: error.message, code: error.code });
  });
}
