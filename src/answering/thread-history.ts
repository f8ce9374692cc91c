import type { Turn } from '../store/thread-store';

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

/**
 * The thread's earlier messages as turns, read from Slack when the bot is summoned into a thread it has no
 * history for. The bot's own messages become assistant turns; other people's are prefixed with who wrote them.
 */
export async function readThreadFromSlack(
  client: RepliesReader,
  args: { channel: string; threadTs: string; beforeTs: string; botUserId: string },
): Promise<Turn[]> {
  const turns: Turn[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await client.conversations.replies({
      channel: args.channel,
      ts: args.threadTs,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const message of response.messages ?? []) {
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
    cursor = response.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return turns;
}
