import { messageFields } from './events';
import type { Directory, Identity } from './identity';
import type { MessageStore, StoredMessage } from './messages';

/** A Slack platform error: answered as HTTP 200 {ok:false,error:code}. */
export class SlackApiError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'SlackApiError';
  }
}

export type Args = Record<string, unknown>;
type Handler = (args: Args) => Record<string, unknown>;

/** The fake workspace the methods read and change. */
export interface Workspace {
  readonly identity: Identity;
  readonly store: MessageStore;
  readonly directory: Directory;
  /** Read on every call, so tests can change them at runtime. */
  readonly settings: { readonly refuseStreaming?: string; readonly refuseChunks?: string };
  /** The WebSocket URL for a new Socket Mode connection. */
  openSocketUrl(): string;
  /** Called after the bot posted a message (echo it, clear the thread's status). */
  botPosted(message: StoredMessage): void;
  setThreadStatus(channel: string, threadTs: string, status: string): void;
}

const MAX_MARKDOWN = 12_000;
const MAX_UPDATE_TEXT = 4_000;
const MAX_TEXT = 40_000;
const MAX_PAGE = 1_000;

function text(args: Args, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function required(args: Args, key: string, error = 'invalid_arguments'): string {
  const value = text(args, key);
  if (!value) throw new SlackApiError(error);
  return value;
}

function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The markdown a stream call adds (markdown_text, then markdown_text chunks) and its other chunks. */
function streamContent(args: Args): { markdown: string; chunks: unknown[] } {
  let markdown = text(args, 'markdown_text') ?? '';
  const chunks: unknown[] = [];
  for (const chunk of list(args.chunks) ?? []) {
    const { type, text: chunkText } = (chunk ?? {}) as { type?: unknown; text?: unknown };
    if (type === 'markdown_text' && typeof chunkText === 'string') markdown += chunkText;
    else chunks.push(chunk);
  }
  return { markdown, chunks };
}

function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

function decodeCursor(cursor: string | undefined, thread: StoredMessage[]): number {
  if (!cursor) return 0;
  const ts = Buffer.from(cursor, 'base64')
    .toString()
    .replace(/^next_ts:/, '');
  const index = thread.findIndex((message) => message.ts >= ts);
  if (index < 0) throw new SlackApiError('invalid_cursor');
  return index;
}

/** The Web API methods the fake speaks, by name. */
export function createMethods(workspace: Workspace): Record<string, Handler> {
  const { identity, store, directory } = workspace;
  const asBot = { user: identity.botUserId, bot_id: identity.botId, team: identity.teamId };

  const show = (message: StoredMessage) => messageFields(message, identity);
  const channelOf = (args: Args) => required(args, 'channel', 'channel_not_found');

  /** The bot's own message named by channel+ts, checked the way chat.update and chat.delete check it. */
  const ownMessage = (args: Args, notOwnError: string): StoredMessage => {
    const message = store.find(channelOf(args), required(args, 'ts', 'message_not_found'));
    if (!message) throw new SlackApiError('message_not_found');
    if (message.bot_id !== identity.botId) throw new SlackApiError(notOwnError);
    return message;
  };

  /** A streaming message that is still open, with `args`' content appended (msg_too_long past 12,000). */
  const appendToStream = (args: Args): StoredMessage => {
    const message = ownMessage(args, 'cant_update_message');
    if (!message.streaming) throw new SlackApiError('message_not_in_streaming_state');
    const { markdown, chunks } = streamContent(args);
    if (message.text.length + markdown.length > MAX_MARKDOWN) throw new SlackApiError('msg_too_long');
    message.text += markdown;
    if (chunks.length > 0) message.chunks = [...(message.chunks ?? []), ...chunks];
    return message;
  };

  const threadArgs = (args: Args) => ({
    channel: required(args, 'channel_id', 'channel_not_found'),
    threadTs: required(args, 'thread_ts'),
  });

  return {
    'auth.test': () => ({
      url: 'https://fake.slack.com/',
      team: 'Fake Workspace',
      user: 'support-bot',
      team_id: identity.teamId,
      user_id: identity.botUserId,
      bot_id: identity.botId,
      is_enterprise_install: false,
    }),

    'apps.connections.open': () => ({ url: workspace.openSocketUrl() }),

    'chat.postMessage': (args) => {
      const channel = channelOf(args);
      const plain = text(args, 'text');
      const markdown = text(args, 'markdown_text');
      const blocks = list(args.blocks);
      if (markdown !== undefined && (plain !== undefined || blocks)) throw new SlackApiError('markdown_text_conflict');
      if (!plain && !markdown && !blocks?.length) throw new SlackApiError('no_text');
      if (markdown && markdown.length > MAX_MARKDOWN) throw new SlackApiError('msg_too_long');
      const message = store.add({
        channel,
        thread_ts: text(args, 'thread_ts'),
        ...asBot,
        text: markdown ?? plain?.slice(0, MAX_TEXT) ?? '',
        streaming: false,
        ...(blocks ? { blocks } : {}),
      });
      workspace.botPosted(message);
      return { channel, ts: message.ts, message: show(message) };
    },

    'chat.update': (args) => {
      const message = ownMessage(args, 'cant_update_message');
      if (message.streaming) throw new SlackApiError('streaming_state_conflict');
      const plain = text(args, 'text');
      const markdown = text(args, 'markdown_text');
      if (plain && plain.length > MAX_UPDATE_TEXT) throw new SlackApiError('msg_too_long');
      if (markdown && markdown.length > MAX_MARKDOWN) throw new SlackApiError('msg_too_long');
      message.text = markdown ?? plain ?? message.text;
      const blocks = list(args.blocks);
      if (blocks) message.blocks = blocks;
      return { channel: message.channel, ts: message.ts, text: message.text, message: show(message) };
    },

    'chat.delete': (args) => {
      const message = ownMessage(args, 'cant_delete_message');
      store.remove(message.channel, message.ts);
      return { channel: message.channel, ts: message.ts };
    },

    'chat.startStream': (args) => {
      const refusal = workspace.settings.refuseStreaming;
      if (refusal) throw new SlackApiError(refusal);
      const channel = channelOf(args);
      const threadTs = required(args, 'thread_ts');
      if (!channel.startsWith('D')) {
        if (!text(args, 'recipient_user_id')) throw new SlackApiError('missing_recipient_user_id');
        if (!text(args, 'recipient_team_id')) throw new SlackApiError('missing_recipient_team_id');
      }
      const { markdown, chunks } = streamContent(args);
      // A workspace without task display: Slack refuses the stream's task and plan updates.
      const refuseChunks = workspace.settings.refuseChunks;
      if (refuseChunks && chunks.length > 0) throw new SlackApiError(refuseChunks);
      if (markdown.length > MAX_MARKDOWN) throw new SlackApiError('msg_too_long');
      const message = store.add({
        channel,
        thread_ts: threadTs,
        ...asBot,
        text: markdown,
        streaming: true,
        ...(chunks.length > 0 ? { chunks } : {}),
      });
      workspace.botPosted(message);
      return { channel, ts: message.ts };
    },

    'chat.appendStream': (args) => {
      const message = appendToStream(args);
      return { channel: message.channel, ts: message.ts };
    },

    'chat.stopStream': (args) => {
      const message = appendToStream(args);
      const blocks = list(args.blocks);
      if (blocks) message.blocks = blocks;
      message.streaming = false;
      return { channel: message.channel, ts: message.ts, message: show(message) };
    },

    'assistant.threads.setStatus': (args) => {
      const { channel, threadTs } = threadArgs(args);
      const status = text(args, 'status');
      if (status === undefined) throw new SlackApiError('invalid_arguments');
      workspace.setThreadStatus(channel, threadTs, status);
      return {};
    },

    // Agent view: prompts are set for the conversation, without thread_ts (with it, Slack's call silently fails).
    'assistant.threads.setSuggestedPrompts': (args) => {
      required(args, 'channel_id', 'channel_not_found');
      const prompts = list(args.prompts);
      if (!prompts || prompts.length === 0 || prompts.length > 4) throw new SlackApiError('invalid_arguments');
      return {};
    },

    'assistant.threads.setTitle': (args) => {
      threadArgs(args);
      required(args, 'title');
      return {};
    },

    'conversations.replies': (args) => {
      const thread = store.thread(channelOf(args), required(args, 'ts', 'thread_not_found'));
      if (thread.length === 0) throw new SlackApiError('thread_not_found');
      const limit = Math.min(Math.max(Number(args.limit) || MAX_PAGE, 1), MAX_PAGE);
      const start = decodeCursor(text(args, 'cursor'), thread);
      const next = thread[start + limit];
      const replyCount = thread.length - 1;
      return {
        messages: thread.slice(start, start + limit).map((message, index) => ({
          ...show(message),
          ...(start + index === 0 && replyCount > 0 ? { thread_ts: message.ts, reply_count: replyCount } : {}),
        })),
        has_more: next !== undefined,
        response_metadata: { next_cursor: next ? encodeCursor(next.ts) : '' },
      };
    },

    'conversations.info': (args) => ({ channel: directory.channel(channelOf(args)) }),

    'users.info': (args) => ({ user: directory.user(required(args, 'user', 'user_not_found')) }),
  };
}
