import type { App } from '@slack/bolt';
import type { QuestionHandler } from '../answering/question-handler';
import type { RepliesReader } from '../answering/thread-history';
import type { ContextRegistry } from '../conversation/context';
import { HANDOFF_ACTION_ID, RESOLVED_ACTION_ID } from '../desk/answer-blocks';
import type { Desk } from '../desk/desk';
import type { Logger } from '../logger';
import { FEEDBACK_ACTION_ID } from '../slack/feedback';
import type { SideWriter } from '../slack/side-writes';
import type { ThreadHistory } from '../store/thread-store';
import { createHandoffButtonListener, createResolvedButtonListener } from './actions/desk-buttons';
import { createFeedbackListener } from './actions/feedback';
import { createHomeOpenedListener, type HomeDeps } from './events/home-opened';
import { createQuestionListener } from './events/question';
import { createReactionListener } from './events/reaction-added';

/** What the support desk's listeners need (absent: the bot only answers and logs feedback). */
export interface DeskListenerDeps {
  desk: Desk;
  home: HomeDeps;
  slack: RepliesReader;
  history: Pick<ThreadHistory, 'has'>;
  botUserId: string;
}

/** Wires Bolt events and actions to their handlers. */
export function registerListeners(
  app: App,
  deps: {
    handler: QuestionHandler;
    contexts: ContextRegistry;
    side: Pick<SideWriter, 'suggestPrompts'>;
    logger: Logger;
    desk?: DeskListenerDeps;
  },
): void {
  const question = createQuestionListener(deps);
  app.event('message', question);
  app.event('app_mention', question);
  app.event('app_home_opened', createHomeOpenedListener({ ...deps, home: deps.desk?.home }));
  app.action(
    { type: 'block_actions', action_id: FEEDBACK_ACTION_ID },
    createFeedbackListener({ logger: deps.logger, desk: deps.desk?.desk }),
  );
  if (deps.desk) {
    const desk = { ...deps.desk, logger: deps.logger };
    app.action({ type: 'block_actions', action_id: HANDOFF_ACTION_ID }, createHandoffButtonListener(desk));
    app.action({ type: 'block_actions', action_id: RESOLVED_ACTION_ID }, createResolvedButtonListener(desk));
    app.event('reaction_added', createReactionListener(desk));
  }
  app.error(async (error) => {
    deps.logger.error('unhandled Bolt error', { name: error.name, message: error.message, code: error.code });
  });
}
