/** ✅ by the asker on the thread's first message or on a bot answer resolves the case. */
import type { RepliesReader } from '../answering/thread-history';
import type { ThreadHistory } from '../store/thread-store';
import { type Desk, kindOfChannel } from './desk';

/** The reactions that mean "resolved". */
export const RESOLVING_REACTIONS = new Set(['white_check_mark', 'heavy_check_mark']);

/** The parts of a `reaction_added` event the desk reads. */
export interface ReactionEvent {
  user?: string;
  reaction?: string;
  item_user?: string;
  item?: { type?: string; channel?: string; ts?: string };
}

/** Resolves the thread when `event` is the asker's ✅ on its first message or on a bot answer; false otherwise. */
export async function resolveByReaction(
  deps: { desk: Desk; slack: RepliesReader; history: Pick<ThreadHistory, 'has'>; botUserId: string },
  event: ReactionEvent,
  team: string,
): Promise<boolean> {
  const { item, user } = event;
  if (!user || !event.reaction || !RESOLVING_REACTIONS.has(event.reaction)) return false;
  if (item?.type !== 'message' || !item.channel || !item.ts) return false;
  const onAnswer = event.item_user === deps.botUserId;
  // Slack answers with the thread's first message for any message of the thread.
  const { messages } = await deps.slack.conversations.replies({ channel: item.channel, ts: item.ts, limit: 1 });
  const root = messages?.[0];
  if (!root?.ts || root.user !== user || !(onAnswer || root.ts === item.ts)) return false;
  const key = `${team}:${item.channel}:${root.ts}`;
  if (!(await deps.history.has(key).catch(() => false))) return false;
  const context = deps.desk.contextOf(item.channel);
  if (!context) return false;
  const place = { team, channel: item.channel, threadTs: root.ts, context, channelKind: kindOfChannel(item.channel) };
  await deps.desk.resolve(place, item.ts);
  return true;
}
