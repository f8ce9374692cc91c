/** What the question handler asks of the desk: noticing a helper, recognising a handoff, recording each question. */
import type { Context } from '../conversation/context';
import { type IncomingMessage, replyPlace, threadKey } from '../conversation/incoming';
import { mentions } from '../conversation/should-answer';
import type { LlmUsage } from '../llm/llm';
import type { QuestionOutcome, QuestionRecord } from '../store/desk-book';
import type { ThreadHistory } from '../store/thread-store';
import { type Desk, type DeskPlace, kindOf } from './desk';
import { asksForPerson } from './phrases';

/** The desk's view of the thread a message is in. */
export function deskPlace(message: IncomingMessage, context: Context): DeskPlace {
  return { ...replyPlace(message), context, channelKind: kindOf(message.channelType) };
}

/**
 * A person other than the asker writes in a channel thread the bot answered in, without mentioning it: they came to
 * help, and the bot steps back there.
 */
export async function noticeHelper(
  desk: Desk,
  history: Pick<ThreadHistory, 'has'>,
  message: IncomingMessage,
  context: Context | undefined,
  botUserId: string,
): Promise<void> {
  if (!context?.desk.stepBack || message.channelType === 'im' || !message.threadTs) return;
  if (!message.parentUser || message.user === message.parentUser || mentions(message.text, botUserId)) return;
  const answered = await history.has(threadKey(message)).catch(() => false);
  if (answered) await desk.stepBack(deskPlace(message, context));
}

/** Whether the message asks for a person (the model is not asked). */
export function wantsPerson(message: IncomingMessage, context: Context): boolean {
  return asksForPerson(message.text, context.desk.handoffPhrases);
}

/** How an answer went, as measured by the handler. */
export interface AnsweredQuestion {
  outcome: QuestionOutcome;
  /** When the handler began answering (the question's event), epoch ms. */
  startedAt: number;
  answerTs?: string;
  firstVisibleAt?: number;
  usage?: LlmUsage;
}

/** The record of one question: no text, only what the report counts. */
export function questionRecord(message: IncomingMessage, context: Context, answer: AnsweredQuestion): QuestionRecord {
  const now = Date.now();
  return {
    thread: threadKey(message),
    ts: message.ts,
    ...(answer.answerTs ? { answerTs: answer.answerTs } : {}),
    channel: message.channel,
    context: context.name,
    channelKind: kindOf(message.channelType),
    outcome: answer.outcome,
    at: answer.startedAt,
    ...(answer.firstVisibleAt ? { firstVisibleMs: answer.firstVisibleAt - answer.startedAt } : {}),
    ...(answer.outcome === 'answered' ? { durationMs: now - answer.startedAt } : {}),
    tokensIn: answer.usage?.inputTokens ?? 0,
    tokensCached: answer.usage?.cachedTokens ?? 0,
    tokensOut: answer.usage?.outputTokens ?? 0,
    files: message.files?.length ?? 0,
  };
}
