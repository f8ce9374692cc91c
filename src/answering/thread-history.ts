import type { Turn } from '../conversation/turn';

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
    }): Promise<{
      messages?: Array<{ ts?: string; user?: string; bot_id?: string; text?: string; subtype?: string }>;
      response_metadata?: { next_cursor?: string };
    }>;
  };
}

const MAX_PAGES = 3;

type SlackMessage = NonNullable<Awaited<ReturnType<RepliesReader['conversations']['replies']>>['messages']>[number];

/** The thread's messages, oldest first, up to MAX_PAGES pages of 200. */
async function* threadMessages(client: RepliesReader, channel: string, threadTs: string): AsyncGenerator<SlackMessage> {
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

/**
 * The thread's earlier messages as turns, read from Slack when the bot is summoned into a thread it has no
 * history for. The bot's own messages become assistant turns; other people's are prefixed with who wrote them.
 */
export async function readThreadFromSlack(
  client: RepliesReader,
  args: { channel: string; threadTs: string; beforeTs: string; botUserId: string },
): Promise<Turn[]> {
  const turns: Turn[] = [];
  for await (const message of threadMessages(client, args.channel, args.threadTs)) {
    if (!message.ts || !message.text || Number(message.ts) >= Number(args.beforeTs)) continue;
    if (message.user === args.botUserId) {
      turns.push({ role: 'assistant', text: message.text, ts: message.ts });
    } else if (!message.bot_id && message.user) {
      turns.push({
        role: 'user',
        text: `<@${message.user}> wrote: ${message.text}`,
        ts: message.ts,
        user: message.user,
      });
    }
  }
  return turns;
}

/**
 * The bot's own messages right after `afterTs` in the thread, up to the next message from a person: what an
 * instance that died while answering the message at `afterTs` left of its reply (a half-written stream, or an
 * answer it sent but could not record).
 */
export async function findLeftovers(
  client: RepliesReader,
  args: { channel: string; threadTs: string; afterTs: string; botUserId: string },
): Promise<string[]> {
  const found: string[] = [];
  for await (const message of threadMessages(client, args.channel, args.threadTs)) {
    if (!message.ts || Number(message.ts) <= Number(args.afterTs)) continue;
    if (message.user !== args.botUserId) break;
    found.push(message.ts);
  }
  return found;
}
