import { type FileRef, parseFileRefs } from '../files/file-ref';

/** A Slack message or mention, reduced to what the bot decides and answers on. Slack-free. */
export interface IncomingMessage {
  /** Which Events API event carried it. */
  source: 'message' | 'app_mention';
  team: string;
  channel: string;
  /** `im` for DMs; `channel`, `group`, `mpim` otherwise. */
  channelType: 'im' | 'channel' | 'group' | 'mpim';
  user: string;
  text: string;
  ts: string;
  /** Root of the thread the message is in; absent for a top-level message. */
  threadTs?: string;
  /** The asker's team, when it differs from the workspace (Slack Connect). */
  userTeam?: string;
  /** Attached files (metadata only: id, name, type, size, download URL); absent when there are none. */
  files?: FileRef[];
}

/** A thread in a workspace: where a reply goes. */
export interface ThreadPlace {
  team: string;
  channel: string;
  /** The thread's root ts. */
  threadTs: string;
}

/** Where the reply to a message goes: the thread it is in, or the thread it starts. */
export function replyPlace(message: Pick<IncomingMessage, 'team' | 'channel' | 'ts' | 'threadTs'>): ThreadPlace {
  return { team: message.team, channel: message.channel, threadTs: message.threadTs ?? message.ts };
}

/** Key of a thread in the store: `team:channel:thread_ts`. */
export function threadKey(message: Pick<IncomingMessage, 'team' | 'channel' | 'ts' | 'threadTs'>): string {
  const place = replyPlace(message);
  return `${place.team}:${place.channel}:${place.threadTs}`;
}

/** Key of one message, used to claim it so it is answered once. */
export function messageKey(message: Pick<IncomingMessage, 'team' | 'channel' | 'ts'>): string {
  return `${message.team}:${message.channel}:${message.ts}`;
}

const USER_INPUT_SUBTYPES = new Set(['thread_broadcast', 'file_share']);
const CHANNEL_TYPES = new Set(['im', 'channel', 'group', 'mpim']);
/** Zero-width characters: a message of only these (and spaces) says nothing. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Why an event is not a question for the bot; `undefined` when it is user input. */
export type IgnoreReason = 'malformed' | 'subtype' | 'bot' | 'self' | 'empty';

/**
 * Turns a raw `message` / `app_mention` event into an IncomingMessage, or says why it is not user input.
 * Never throws: anything unexpected is `malformed`.
 */
export function parseEvent(
  raw: unknown,
  teamFallback: string | undefined,
  botUserId: string,
): IncomingMessage | IgnoreReason {
  if (raw === null || typeof raw !== 'object') return 'malformed';
  const event = raw as Record<string, unknown>;
  const type = event.type;
  if (type !== 'message' && type !== 'app_mention') return 'malformed';
  const subtype = event.subtype;
  if (typeof subtype === 'string' && !USER_INPUT_SUBTYPES.has(subtype)) return 'subtype';
  if (event.bot_id !== undefined || event.bot_profile !== undefined) return 'bot';
  const { channel, user, ts } = event;
  if (!isId(channel) || !isId(user) || !isTs(ts)) return 'malformed';
  if (user === botUserId) return 'self';
  const text = typeof event.text === 'string' ? event.text : '';
  const hasFiles = Array.isArray(event.files) && event.files.length > 0;
  const blank = text.replace(INVISIBLE, '').trim() === '';
  if (blank && !hasFiles) return 'empty';
  const team = isId(event.team) ? event.team : teamFallback;
  if (!isId(team)) return 'malformed';
  const rawType = typeof event.channel_type === 'string' ? event.channel_type : channelTypeFromId(channel);
  const channelType = (
    CHANNEL_TYPES.has(rawType) ? rawType : channelTypeFromId(channel)
  ) as IncomingMessage['channelType'];
  const threadTs = isTs(event.thread_ts) && event.thread_ts !== ts ? event.thread_ts : undefined;
  // Slack Connect: the asker's org differs from the message's team, or from the workspace the event was sent to.
  const userTeam = typeof event.user_team === 'string' ? event.user_team : undefined;
  const external = userTeam !== undefined && (userTeam !== team || userTeam !== (teamFallback ?? team));
  const files = hasFiles ? parseFileRefs(event) : [];
  return {
    source: type,
    team,
    channel,
    channelType,
    user,
    text: hasFiles && blank ? '(shared a file)' : text,
    ts,
    ...(threadTs ? { threadTs } : {}),
    ...(external ? { userTeam } : {}),
    ...(files.length > 0 ? { files } : {}),
  };
}

// Slack ids are letters and digits, ts are digits with a dot. Anything else (empty, a ':' that would forge a store
// key, 60,000 characters) did not come from Slack and is not answered.
function isId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

function isTs(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}\.\d{1,20}$/.test(value);
}

function channelTypeFromId(channel: string): string {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'group';
  return 'channel';
}
