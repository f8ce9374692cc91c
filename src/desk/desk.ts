/** The support desk around the answers: handoffs, stepping back, resolution, feedback and question records. */
import { describe } from '../answering/describe-error';
import { OFFER_PERSON } from '../answering/wording';
import type { Context, ContextRegistry } from '../conversation/context';
import type { IncomingMessage } from '../conversation/incoming';
import type { ChannelKind, DeskFlag, FeedbackRecord, QuestionRecord } from '../store/desk-book';
import { OutageNotice } from '../store/outage-notice';
import { HANDOFF_BUTTON } from './answer-blocks';
import { createHandoff, type HandoffDeps } from './handoff';

/** The reaction the bot adds to acknowledge a resolved case quietly. */
export const RESOLVED_REACTION = 'white_check_mark';

/** A thread, and the context and kind of channel it is in. */
export interface DeskPlace {
  team: string;
  channel: string;
  threadTs: string;
  context: Context;
  channelKind: ChannelKind;
}

/** The channel kind of a parsed message. */
export function kindOf(channelType: IncomingMessage['channelType']): ChannelKind {
  if (channelType === 'im') return 'dm';
  return channelType === 'mpim' ? 'group' : 'channel';
}

/** The channel kind from a channel id alone (button clicks and reactions carry no channel type). */
export function kindOfChannel(channel: string): ChannelKind {
  return channel.startsWith('D') ? 'dm' : 'channel';
}

export function createDesk(deps: HandoffDeps & { contexts: ContextRegistry; model: string }) {
  const { book, logger, retentionMs } = deps;
  // Asked on every follow-up and every answer: a store outage warns once for each, not once per question.
  const stateReads = new OutageNotice(logger, 'could not read the thread state');
  const records = new OutageNotice(logger, 'could not store the question record');
  const keyOf = (place: Pick<DeskPlace, 'team' | 'channel' | 'threadTs'>) =>
    `${place.team}:${place.channel}:${place.threadTs}`;

  async function mark(place: DeskPlace, flag: DeskFlag): Promise<boolean> {
    const about = { context: place.context.name, channelKind: place.channelKind };
    try {
      await book.markThread(keyOf(place), flag, about, Date.now() + retentionMs);
      return true;
    } catch (err) {
      logger.warn('could not record the thread state', { flag, error: describe(err) });
      return false;
    }
  }

  return {
    handOff: createHandoff(deps),

    /** The context governing a channel (clicks and reactions carry only the channel). */
    contextOf: (channel: string) => deps.contexts.forChannel(channel, channel.startsWith('D')),

    /**
     * Whether the bot keeps quiet in the thread unless mentioned: it stepped back, handed off, or the case was
     * resolved. With the store unreachable it answers (a missed step-back beats silence).
     */
    async quiet(key: string): Promise<boolean> {
      try {
        const state = await book.thread(key);
        stateReads.ok();
        return state !== undefined && (state.steppedBack || state.handedOff || state.resolved);
      } catch (err) {
        stateReads.failed(err);
        return false;
      }
    },

    /** Another person writes in the thread: the bot steps back (unless the context says `step_back: false`). */
    async stepBack(place: DeskPlace): Promise<void> {
      if (!place.context.desk.stepBack) return;
      if (await mark(place, 'steppedBack'))
        logger.info('stepped back: a person is helping', { channel: place.channel });
    },

    /** The case is resolved: recorded, and acknowledged with a reaction on `ackTs`. */
    async resolve(place: DeskPlace, ackTs: string): Promise<void> {
      await mark(place, 'resolved');
      await deps.writer.react(place.team, place.channel, ackTs, RESOLVED_REACTION);
      logger.info('case resolved', { channel: place.channel, threadTs: place.threadTs });
    },

    /** Stores 👍/👎; after a 👎 in a context with an escalation channel, offers the person the way to a person. */
    async feedback(record: FeedbackRecord, place: DeskPlace): Promise<void> {
      await book.recordFeedback(record, record.at + retentionMs).catch((err: unknown) => {
        logger.warn('could not store feedback', { error: describe(err) });
      });
      if (record.value !== 'down' || !place.context.desk.escalation?.channel) return;
      const blocks = [
        { type: 'section', text: { type: 'mrkdwn', text: OFFER_PERSON } },
        { type: 'actions', elements: [{ ...HANDOFF_BUTTON, value: place.threadTs }] },
      ];
      await deps.writer.ephemeral(place, record.user, OFFER_PERSON, blocks);
    },

    /** Stores one question's record (no text). */
    async question(record: QuestionRecord): Promise<void> {
      await book.recordQuestion({ ...record, model: deps.model }, record.at + retentionMs).then(
        () => records.ok(),
        (err: unknown) => records.failed(err),
      );
    },

    /** Logs one clear line for each escalation channel the bot is not a member of (it could not post there). */
    async checkEscalationChannels(): Promise<void> {
      const channels = new Set(deps.contexts.all().flatMap((c) => c.desk.escalation?.channel ?? []));
      for (const channel of channels) {
        if ((await deps.writer.isMember(channel)) === false) {
          logger.warn(
            'the bot is not a member of an escalation channel: invite it there, or handoffs cannot be posted',
            {
              channel,
            },
          );
        }
      }
    },
  };
}

export type Desk = ReturnType<typeof createDesk>;
