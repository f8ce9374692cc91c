/** Small recording fakes for the desk's unit tests: what Slack was asked to show, and a model that summarises. */

import type { DeskWriter } from '../../src/desk/desk-writes';
import type { HandoffRequest } from '../../src/desk/handoff';
import type { Llm } from '../../src/llm/llm';
import type { SideWriter } from '../../src/slack/side-writes';
import { makeContext } from './contexts';

/** What everyone in Slack saw: the escalation channel's posts, and the thread's posts and status lines, in order. */
export function recordingDeskSlack() {
  const escalations: string[] = [];
  const thread: string[] = [];
  const writer: DeskWriter = {
    announce: async (_team, _channel, text) => {
      escalations.push(text);
      return `${escalations.length}.0`;
    },
    ephemeral: async () => true,
    permalink: async () => undefined,
    react: async () => true,
    publishHome: async () => true,
    isMember: async () => true,
  };
  const side: SideWriter = {
    post: async (_place, text) => {
      thread.push(text);
      return `${thread.length}.1`;
    },
    status: async (_place, status) => {
      thread.push(`status: ${status}`);
    },
    remove: async () => true,
    suggestPrompts: async () => undefined,
    budgeted: (_team, _method, _channel, run) => run(),
  };
  return { escalations, thread, writer, side };
}

export type RecordingDeskSlack = ReturnType<typeof recordingDeskSlack>;

/** The summary every handoff gets from `summarist`. */
export const SUMMARY = 'VPN drops every hour.';

/** A model that writes the same summary every time. */
export const summarist: Llm = {
  async *stream() {
    yield { type: 'delta', text: SUMMARY };
    yield { type: 'done' };
  },
};

/** A click on "Talk to a person" in a context whose escalation channel is C0ESC. */
export const HANDOFF_CLICK: HandoffRequest = {
  team: 'T1',
  channel: 'C0IT',
  threadTs: '1700000000.000100',
  user: 'U1',
  context: makeContext({ desk: { handoffPhrases: [], stepBack: true, escalation: { channel: 'C0ESC' } } }),
  channelKind: 'channel',
  via: 'button',
};
