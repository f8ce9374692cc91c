/** The fake's support-desk methods: permalinks, ephemeral messages, reactions and Home tabs, recorded for tests. */
import type { Identity } from './identity';
import type { MessageStore } from './messages';
import { type Args, SlackApiError } from './methods';

/** What the desk methods left behind, for assertions. */
export interface DeskRecords {
  /** chat.postEphemeral calls: who saw what, where. */
  ephemerals: Array<{ channel: string; user: string; text: string; threadTs?: string; blocks?: unknown[] }>;
  /** Reactions the bot added, as `channel/ts/name`. */
  reactions: string[];
  /** The last Home tab published per user. */
  homes: Map<string, unknown[]>;
}

const str = (args: Args, key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);

export function createDeskMethods(identity: Identity, store: MessageStore, records: DeskRecords) {
  const need = (args: Args, key: string, error: string) => {
    const value = str(args, key);
    if (!value) throw new SlackApiError(error);
    return value;
  };
  return {
    'chat.getPermalink': (args: Args) => {
      const channel = need(args, 'channel', 'channel_not_found');
      const ts = need(args, 'message_ts', 'message_not_found');
      if (!store.find(channel, ts)) throw new SlackApiError('message_not_found');
      return { channel, permalink: `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
    },
    'chat.postEphemeral': (args: Args) => {
      const channel = need(args, 'channel', 'channel_not_found');
      const user = need(args, 'user', 'user_not_in_channel');
      const blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
      const threadTs = str(args, 'thread_ts');
      records.ephemerals.push({
        channel,
        user,
        text: str(args, 'text') ?? '',
        ...(threadTs ? { threadTs } : {}),
        blocks,
      });
      return { message_ts: `${Date.now() / 1000}` };
    },
    'reactions.add': (args: Args) => {
      const channel = need(args, 'channel', 'channel_not_found');
      const ts = need(args, 'timestamp', 'message_not_found');
      const name = need(args, 'name', 'invalid_name');
      if (!store.find(channel, ts)) throw new SlackApiError('message_not_found');
      const key = `${channel}/${ts}/${name}`;
      if (records.reactions.includes(key)) throw new SlackApiError('already_reacted');
      records.reactions.push(key);
      return {};
    },
    'views.publish': (args: Args) => {
      const user = need(args, 'user_id', 'user_not_found');
      const view = args.view as { type?: string; blocks?: unknown[] } | undefined;
      if (view?.type !== 'home' || !Array.isArray(view.blocks)) throw new SlackApiError('invalid_arguments');
      records.homes.set(user, view.blocks);
      return { view: { id: `V${identity.appId}`, ...view } };
    },
  };
}
