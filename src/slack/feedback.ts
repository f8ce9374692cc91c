/** action_id of the feedback buttons attached to every answer. */
export const FEEDBACK_ACTION_ID = 'answer_feedback';

/** A context_actions block with 👍/👎 buttons, attached when an answer's stream stops. */
export const FEEDBACK_BLOCKS = [
  {
    type: 'context_actions',
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_ACTION_ID,
        positive_button: { text: { type: 'plain_text', text: 'Helpful' }, value: 'helpful' },
        negative_button: { text: { type: 'plain_text', text: 'Not helpful' }, value: 'not_helpful' },
      },
    ],
  },
];
