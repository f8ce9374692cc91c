/** The buttons under each answer: 👍/👎, and per context "Talk to a person" and "Resolved". */
import { RESOLVED_LABEL, TALK_TO_PERSON } from '../answering/wording';
import type { Context } from '../conversation/context';
import { FEEDBACK_BLOCKS } from '../slack/feedback';

/** action_id of the "Talk to a person" button. */
export const HANDOFF_ACTION_ID = 'desk_handoff';
/** action_id of the "Resolved" button. */
export const RESOLVED_ACTION_ID = 'desk_resolved';

/** The "Talk to a person" button, also offered alone after a 👎. */
export const HANDOFF_BUTTON = {
  type: 'button',
  action_id: HANDOFF_ACTION_ID,
  text: { type: 'plain_text', text: TALK_TO_PERSON },
  value: 'handoff',
};

const RESOLVED_BUTTON = {
  type: 'button',
  action_id: RESOLVED_ACTION_ID,
  text: { type: 'plain_text', text: RESOLVED_LABEL },
  style: 'primary',
  value: 'resolved',
};

const built = new WeakMap<Context, unknown[]>();

/** The blocks attached to an answer under `context` (the button to a person only where it has an escalation channel). */
export function answerBlocksFor(context: Context): unknown[] {
  let blocks = built.get(context);
  if (!blocks) {
    const buttons = context.desk.escalation?.channel ? [HANDOFF_BUTTON, RESOLVED_BUTTON] : [RESOLVED_BUTTON];
    blocks = [...FEEDBACK_BLOCKS, { type: 'actions', elements: buttons }];
    built.set(context, blocks);
  }
  return blocks;
}
