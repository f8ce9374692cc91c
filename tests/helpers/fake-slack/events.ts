import { channelType, type Identity } from './identity';
import type { StoredMessage } from './messages';

/** The Events API callback body Slack wraps in a Socket Mode envelope. */
export type EventPayload = {
  token: string;
  team_id: string;
  context_team_id: string;
  context_enterprise_id: null;
  api_app_id: string;
  event: Record<string, unknown>;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: Array<Record<string, unknown>>;
  is_ext_shared_channel: false;
  event_context: string;
};

let eventCounter = 0;

/** An event id shaped like Slack's ("Ev0000000001"). */
function nextEventId(): string {
  eventCounter += 1;
  return `Ev${eventCounter.toString(36).toUpperCase().padStart(10, '0')}`;
}

/** Wraps an inner event the way Slack's Events API does, with a fresh event_id. */
export function eventPayload(identity: Identity, event: Record<string, unknown>): EventPayload {
  const team = typeof event.team === 'string' ? event.team : identity.teamId;
  const context = { et: event.type, tid: team, aid: identity.appId, cid: event.channel };
  return {
    token: 'fake-verification-token',
    team_id: team,
    context_team_id: team,
    context_enterprise_id: null,
    api_app_id: identity.appId,
    event,
    type: 'event_callback',
    event_id: nextEventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString('base64url')}`,
  };
}

/** The fields a stored message shows in API responses and events. */
export function messageFields(message: StoredMessage, identity: Identity): Record<string, unknown> {
  const fromBot = message.bot_id === identity.botId;
  return {
    type: 'message',
    ...(message.subtype ? { subtype: message.subtype } : {}),
    ...(message.user ? { user: message.user } : {}),
    ...(message.bot_id ? { bot_id: message.bot_id } : {}),
    ...(fromBot ? { app_id: identity.appId } : {}),
    text: message.text,
    ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(message.team ? { team: message.team } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.files ? { files: message.files } : {}),
  };
}

/** The `message` event Slack sends for a newly posted message. */
export function messageEvent(message: StoredMessage, identity: Identity, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    ...messageFields(message, identity),
    channel: message.channel,
    event_ts: message.ts,
    channel_type: channelType(message.channel),
  };
}

/** The `app_mention` event Slack sends, separately, for a channel message that mentions the bot. */
export function appMentionEvent(message: StoredMessage, clientMsgId: string): Record<string, unknown> {
  return {
    type: 'app_mention',
    client_msg_id: clientMsgId,
    user: message.user,
    text: message.text,
    ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    team: message.team,
    channel: message.channel,
    event_ts: message.ts,
    ...(message.files ? { files: message.files } : {}),
  };
}
