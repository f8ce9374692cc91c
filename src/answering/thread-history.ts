/** Reading a thread back from Slack: for a thread the bot has no memory of, or while its store is down. */
import type { Turn } from '../conversation/turn';
import { fileReferences, parseFileRefs } from '../files/file-ref';
import { safeText } from '../slack/safe-text';

/** One message as conversations.replies returns it (the fields the bot reads). */
export interface ThreadMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  subtype?: string;
  /** The writer's own team, in Slack Connect channels (`team` carries it too, on messages). */
  user_team?: string;
  team?: string;
  /** Attached files' metadata: their references go with the turn, so a follow-up can see its images. */
  files?: unknown[];
}

/** The slice of WebClient used to read a thread. */
export interface RepliesReader {
  conversations: {
    replies(args: {
      channel: string;
      ts: string;
      limit?: number;
      cursor?: string;
      latest?: string;
      inclusive?: boolean;
    }): Promise<{ messages?: ThreadMessage[]; response_metadata?: { next_cursor?: string } }>;
  };
}

const MAX_PAGES = 3;

/** The thread's messages, oldest first, up to MAX_PAGES pages of 200. */
async function* threadMessages(
  client: RepliesReader,
  channel: string,
  threadTs: string,
): AsyncGenerator<ThreadMessage> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await client.conversations.replies({
      channel,
      ts: threadTs,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    yield* response.messages ?? [];
    cursor = response.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
}

/** Where to read, and whose words may reach the model. */
export interface ThreadReadArgs {
  channel: string;
  threadTs: string;
  /** Only messages before this ts (the question itself and later ones are left out). */
  beforeTs: string;
  botUserId: string;
  /** Whether a person's words may reach the model: people the bot would not answer are left out. */
  mayQuote(user: string, userTeam: string | undefined): boolean;
}

/**
 * The thread's earlier messages as turns. The bot's own messages become assistant turns; each person's is
 * prefixed with who wrote it, so the model can tell people apart; other bots, and people the bot would not answer
 * (Slack Connect externals, people a context's allow_users excludes), are left out. Secrets are scrubbed, as in
 * stored turns.
 */
export async function readThreadFromSlack(client: RepliesReader, args: ThreadReadArgs): Promise<Turn[]> {
  const turns: Turn[] = [];
  for await (const message of threadMessages(client, args.channel, args.threadTs)) {
    const files = fileReferences(parseFileRefs(message));
    if (!message.ts || (!message.text && files.length === 0) || Number(message.ts) >= Number(args.beforeTs)) continue;
    if (message.user === args.botUserId) {
      turns.push({ role: 'assistant', text: safeText(message.text ?? ''), ts: message.ts });
    } else if (!message.bot_id && message.user && args.mayQuote(message.user, message.user_team ?? message.team)) {
      const text = safeText(`<@${message.user}> wrote: ${message.text || '(shared a file)'}`);
      turns.push({ role: 'user', text, ts: message.ts, user: message.user, ...(files.length > 0 ? { files } : {}) });
    }
  }
  return turns;
}

/** Whether the bot has written in the thread (a follow-up there is for it), from Slack's copy of the thread. */
export async function botTookPart(
  client: RepliesReader,
  args: { channel: string; threadTs: string; botUserId: string },
): Promise<boolean> {
  for await (const message of threadMessages(client, args.channel, args.threadTs)) {
    if (message.user === args.botUserId) return true;
  }
  return false;
}
