/** The gate: who gets an answer, who is told politely that they will not, and who is left alone. */
import type { Config } from '../config';
import type { Context } from '../conversation/context';
import { type IncomingMessage, replyPlace, threadKey } from '../conversation/incoming';
import { mentions, shouldAnswer, type Verdict } from '../conversation/should-answer';
import type { Logger } from '../logger';
import type { MemberDirectory } from '../slack/member-directory';
import type { ThreadHistory } from '../store/thread-store';
import { describe } from './describe-error';
import { botTookPart, type RepliesReader } from './thread-history';
import { MEMBERS_ONLY, REFUSALS } from './wording';

/** Why a message is answered: the verdict's reason, or `recovered` for one taken over from a dead instance. */
export type AnswerReason = Extract<Verdict, { answer: true }>['why'] | 'recovered';

/** The gate's word on a message: answer it, tell the asker no (`refusal`), or leave it alone. */
export type Admission =
  | { admit: true; why: AnswerReason; context: Context }
  | { admit: false; why: string; refusal?: string };

/** What the gate needs to know about the bot and the thread. */
export interface GateDeps {
  botUserId: string;
  access: Config['access'];
  history: Pick<ThreadHistory, 'has'>;
  slack: RepliesReader;
  /** Looks up guests when DMs are limited to members (DM_MEMBERS_ONLY). */
  members: MemberDirectory;
  logger: Logger;
  /** Whether the bot keeps quiet in a thread unless mentioned (stepped back, handed off, resolved). */
  quiet?(threadKey: string): Promise<boolean>;
}

/** Decides, for a fresh event and again for a claimed message, whether the bot answers it. */
export function createGate(deps: GateDeps) {
  const { botUserId, access, logger } = deps;

  function addressed(message: IncomingMessage): boolean {
    return message.channelType === 'im' || message.source === 'app_mention' || mentions(message.text, botUserId);
  }

  function refuse(message: IncomingMessage, why: Verdict['why']): Admission {
    return { admit: false, why, ...(addressed(message) ? { refusal: REFUSALS[why] } : {}) };
  }

  // An un-mentioned reply in a channel thread is a follow-up only where the bot has answered. The store knows; while
  // it is down, Slack's copy of the thread does.
  async function answeredInThread(message: IncomingMessage): Promise<boolean> {
    try {
      return await deps.history.has(threadKey(message));
    } catch (err) {
      logger.warn('store unreachable: reading the thread from Slack', { error: describe(err) });
      const { channel, threadTs } = replyPlace(message);
      return botTookPart(deps.slack, { channel, threadTs, botUserId }).catch(() => false);
    }
  }

  // When the lookup itself fails, the safe answer is "not a member": the guest gets a polite refusal.
  async function isMember(user: string): Promise<boolean> {
    return deps.members.isMember(user).catch((err: unknown) => {
      logger.warn('users.info failed', { error: describe(err) });
      return false;
    });
  }

  /** Group DMs are DMs too: with DM_MEMBERS_ONLY, guests in them are refused like in a one-to-one DM. */
  async function membersOnly(message: IncomingMessage): Promise<Admission | undefined> {
    const direct = message.channelType === 'im' || message.channelType === 'mpim';
    if (!direct || !access.dmMembersOnly || (await isMember(message.user))) return undefined;
    return { admit: false, why: 'guest', refusal: MEMBERS_ONLY };
  }

  return {
    /** The first look at an event: is it for the bot under `context`, by the access rules and where it was said. */
    async check(message: IncomingMessage, context: Context | undefined): Promise<Admission> {
      const needsLookup =
        message.source === 'message' &&
        message.threadTs !== undefined &&
        message.channelType !== 'im' &&
        !mentions(message.text, botUserId);
      const inThread = needsLookup && context !== undefined && (await answeredInThread(message));
      const verdict = shouldAnswer(message, {
        botUserId,
        context,
        inThread,
        allowExternalUsers: access.allowExternalUsers,
      });
      if (!verdict.answer) return refuse(message, verdict.why);
      if (!context) return refuse(message, 'no-context');
      // A person took over, or the case is closed: follow-ups there are theirs unless the bot is asked by name.
      if (needsLookup && (await deps.quiet?.(threadKey(message)))) return { admit: false, why: 'desk-quiet' };
      return { admit: true, why: verdict.why, context };
    },

    /**
     * The last gate before answering a claimed message. A question taken over from a dead instance passes the access
     * rules again under today's context (it was addressed to the bot when it was claimed).
     */
    async recheck(message: IncomingMessage, context: Context | undefined, why: AnswerReason): Promise<Admission> {
      if (why === 'recovered') {
        const verdict = shouldAnswer(message, {
          botUserId,
          context,
          inThread: true,
          allowExternalUsers: access.allowExternalUsers,
        });
        if (!verdict.answer) return refuse(message, verdict.why);
      }
      if (!context) return refuse(message, 'no-context');
      return (await membersOnly(message)) ?? { admit: true, why, context };
    },
  };
}

export type Gate = ReturnType<typeof createGate>;

/**
 * Whose words from a thread may reach the model under `context`: not people the bot would not answer there (Slack
 * Connect externals unless ALLOW_EXTERNAL_USERS, people a context's allow_users leaves out).
 */
export function quotable(access: Config['access'], context: Context, team: string) {
  return (user: string, userTeam: string | undefined): boolean => {
    if (userTeam && userTeam !== team && !access.allowExternalUsers) return false;
    return context.allowUsers.length === 0 || context.allowUsers.includes(user);
  };
}
