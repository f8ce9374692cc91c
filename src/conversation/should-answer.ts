import type { Context } from './context';
import type { IncomingMessage } from './incoming';

/** What the bot knows when deciding whether a message is for it. */
export interface AnswerFacts {
  botUserId: string;
  /** The context governing the channel, if any. */
  context: Context | undefined;
  /** Whether the bot already has history in this message's thread (it has answered there). */
  inThread: boolean;
  allowExternalUsers: boolean;
}

/** Why the bot answers, or why not: a reason a log line can carry. */
export type Verdict =
  | { answer: true; why: 'dm' | 'mention' | 'follow-up' | 'reply-all' }
  | { answer: false; why: 'no-context' | 'not-addressed' | 'external-user' | 'not-allowed' };

/** Decides whether the bot answers a (user-input) message. Pure: no I/O. */
export function shouldAnswer(message: IncomingMessage, facts: AnswerFacts): Verdict {
  const { context } = facts;
  if (!context) return { answer: false, why: 'no-context' };
  if (message.userTeam && !facts.allowExternalUsers) return { answer: false, why: 'external-user' };
  if (context.allowUsers.length > 0 && !context.allowUsers.includes(message.user)) {
    return { answer: false, why: 'not-allowed' };
  }
  if (message.channelType === 'im') return { answer: true, why: 'dm' };
  if (message.source === 'app_mention' || mentions(message.text, facts.botUserId)) {
    return { answer: true, why: 'mention' };
  }
  if (message.threadTs) {
    return facts.inThread ? { answer: true, why: 'follow-up' } : { answer: false, why: 'not-addressed' };
  }
  return context.reply === 'all' ? { answer: true, why: 'reply-all' } : { answer: false, why: 'not-addressed' };
}

/** Whether the text @mentions the user (`<@U123>` or `<@U123|name>`). */
export function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}

/** Whether the text is nothing but mentions of the user (and spaces, punctuation, zero-width characters). */
export function onlyMentions(text: string, userId: string): boolean {
  const rest = text.replaceAll(`<@${userId}>`, '').replace(new RegExp(`<@${userId}\\|[^>]*>`, 'g'), '');
  return rest.length < text.length && /^[\s\p{P}\u200B-\u200D\u2060\uFEFF]*$/u.test(rest);
}
