/** One claimed question in its thread's turn: takeover check → answer → record → claim complete, or one apology. */
import type { Context } from '../conversation/context';
import { type IncomingMessage, messageKey, replyPlace, threadKey } from '../conversation/incoming';
import { type AnsweredQuestion, questionRecord } from '../desk/desk-questions';
import { type AnswerReason, quotable } from './admission';
import { type AnswerDeps, answerQuestion } from './answer';
import type { SpendBudgets } from './budgets';
import type { Claims } from './claims';
import { DeadlineError } from './deadline';
import { describe, upstreamText } from './describe-error';
import type { HandlerDeps } from './handler-deps';
import { type QuestionTrack, trackReplies } from './outcomes';
import { alreadyAnswered, removeWritten } from './takeover';
import type { ThreadLanes } from './thread-lanes';
import { SORRY, withRef } from './wording';

/** The handler's deps and the parts it builds once that answering a claimed question uses. */
export interface ClaimedAnswerDeps extends Pick<HandlerDeps, 'config' | 'store' | 'side' | 'streamer' | 'desk'> {
  claims: Claims;
  lanes: ThreadLanes;
  budgets: SpendBudgets;
  answerDeps: AnswerDeps;
}

/** Answers a claimed message in its thread's turn, then marks the claim complete. Never rejects. */
export async function answerClaimed(
  deps: ClaimedAnswerDeps,
  message: IncomingMessage,
  context: Context,
  why: AnswerReason,
  written: string[],
  signal: AbortSignal,
  track: QuestionTrack,
): Promise<void> {
  const { config, store, desk, claims, lanes, budgets, answerDeps } = deps;
  const { ref, log } = track;
  const id = messageKey(message);
  track.begin();
  // `recorded`: a question found answered already has its record.
  const measured: AnsweredQuestion & { recorded?: boolean } = { outcome: 'failed', startedAt: Date.now() };
  try {
    await lanes.run(threadKey(message), message.ts, async () => {
      if (why === 'recovered') {
        if (await alreadyAnswered(store, message)) {
          log.info('question taken over was already answered', { channel: message.channel, ts: message.ts });
          track.end('duplicate');
          measured.recorded = true;
          return;
        }
        await removeWritten(deps.side, message, written, log);
      }
      const end = await answerQuestion(
        { ...answerDeps, logger: log, streamer: trackReplies(deps.streamer, track) },
        {
          message,
          context,
          ref,
          signal,
          mayQuote: quotable(config.access, context, message.team),
          onMessage: (ts) => {
            track.shown();
            if (!measured.answerTs) Object.assign(measured, { answerTs: ts, firstVisibleAt: Date.now() });
            claims.noteWritten(id, ts);
          },
          onDeadline: () => {
            track.timedOut = true;
          },
        },
      );
      track.finished(end.cutShort);
      Object.assign(measured, { outcome: end.cutShort ? 'failed' : 'answered', usage: end.usage });
      void budgets.record(message, context, end.usage, log);
      log.info('answered', { channel: message.channel, ts: message.ts, why });
    });
  } catch (err) {
    track.end(track.timedOut || err instanceof DeadlineError ? 'timed_out' : 'failed');
    log.error('answer failed', { channel: message.channel, ts: message.ts, error: describe(err) });
    const text = upstreamText(err);
    if (text) log.debug('model error text', { text });
    if (!(await deps.side.post({ ...replyPlace(message), ref }, withRef(SORRY, ref)))) {
      log.error('could not post the apology', { channel: message.channel, ts: message.ts });
    }
  } finally {
    track.end('failed');
    // Made together, the two writes share the store's commit (the SQLite store commits each loop turn's calls once).
    const record = measured.recorded ? undefined : desk?.question(questionRecord(message, context, measured));
    await Promise.all([claims.complete(id), record]);
  }
}
