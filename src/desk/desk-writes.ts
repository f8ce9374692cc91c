/** The support desk's Slack calls (handoff post, ephemeral offer, permalink, reactions, Home tab), in the write budget. */
import type { Logger } from '../logger';
import type { SideWriter } from '../slack/side-writes';
import { slackErrorCode } from '../slack/slack-errors';

/** The Web API methods the desk uses: a structural subset of WebClient. */
export interface DeskClient {
  chat: {
    postMessage(args: { channel: string; text: string; thread_ts?: string }): Promise<{ ts?: string }>;
    postEphemeral(args: {
      channel: string;
      user: string;
      text: string;
      thread_ts?: string;
      blocks?: unknown[];
    }): Promise<unknown>;
    getPermalink(args: { channel: string; message_ts: string }): Promise<{ permalink?: string }>;
  };
  reactions: { add(args: { channel: string; timestamp: string; name: string }): Promise<unknown> };
  views: { publish(args: { user_id: string; view: { type: 'home'; blocks: unknown[] } }): Promise<unknown> };
  conversations: { info(args: { channel: string }): Promise<{ channel?: { is_member?: boolean } }> };
}

/** The desk's writes; each resolves to whether it worked (failures are logged without text), never rejects. */
export interface DeskWriter {
  /** Posts a top-level message in a channel; its ts, or undefined. */
  announce(team: string, channel: string, text: string): Promise<string | undefined>;
  /** Shows a message to one person only, in a thread. */
  ephemeral(
    place: { team: string; channel: string; threadTs: string },
    user: string,
    text: string,
    blocks: unknown[],
  ): Promise<boolean>;
  /** A link to a message, or undefined. */
  permalink(channel: string, ts: string): Promise<string | undefined>;
  /** Adds the bot's reaction to a message (an already added one counts as done). */
  react(team: string, channel: string, ts: string, name: string): Promise<boolean>;
  /** Publishes a person's Home tab. */
  publishHome(team: string, user: string, blocks: unknown[]): Promise<boolean>;
  /** Whether the bot is a member of the channel; undefined when Slack could not say. */
  isMember(channel: string): Promise<boolean | undefined>;
}

export function createDeskWriter(deps: { client: DeskClient; side: SideWriter; logger: Logger }): DeskWriter {
  const { client, side, logger } = deps;
  const failed = (what: string, channel: string, err: unknown) => {
    logger.warn(`could not ${what}`, { channel, error: slackErrorCode(err) });
  };
  return {
    async announce(team, channel, text) {
      try {
        const posted = await side.budgeted(team, 'chat.postMessage', channel, () =>
          client.chat.postMessage({ channel, text }),
        );
        return posted.ts;
      } catch (err) {
        failed('post in the escalation channel', channel, err);
        return undefined;
      }
    },
    async ephemeral(place, user, text, blocks) {
      try {
        await side.budgeted(place.team, 'chat.postEphemeral', place.channel, () =>
          client.chat.postEphemeral({ channel: place.channel, user, text, thread_ts: place.threadTs, blocks }),
        );
        return true;
      } catch (err) {
        failed('show an ephemeral message', place.channel, err);
        return false;
      }
    },
    async permalink(channel, ts) {
      try {
        return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink;
      } catch (err) {
        failed('get a permalink', channel, err);
        return undefined;
      }
    },
    async react(team, channel, ts, name) {
      try {
        await side.budgeted(team, 'reactions.add', channel, () =>
          client.reactions.add({ channel, timestamp: ts, name }),
        );
        return true;
      } catch (err) {
        if (slackErrorCode(err) === 'already_reacted') return true;
        failed('add a reaction', channel, err);
        return false;
      }
    },
    async publishHome(team, user, blocks) {
      try {
        await side.budgeted(team, 'views.publish', user, () =>
          client.views.publish({ user_id: user, view: { type: 'home', blocks } }),
        );
        return true;
      } catch (err) {
        failed('publish the Home tab', user, err);
        return false;
      }
    },
    async isMember(channel) {
      try {
        return (await client.conversations.info({ channel })).channel?.is_member === true;
      } catch (err) {
        failed('look up the escalation channel', channel, err);
        return undefined;
      }
    },
  };
}
