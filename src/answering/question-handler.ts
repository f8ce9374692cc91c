/** The handler skeleton: filter → claim → gate → answer in thread order → complete, or one apology. */
import type { Config } from '../config';
import type { Context, ContextRegistry } from '../conversation/context';
import { type IncomingMessage, messageKey, parseEvent, replyPlace, threadKey } from '../conversation/incoming';
import { cachedInstructions } from '../conversation/prompt';
import type { Desk } from '../desk/desk';
import { type AnsweredQuestion, noticeHelper, questionRecord, wantsPerson } from '../desk/desk-questions';
import type { AttachmentDeps } from '../files/attachments';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { QuestionOutcome } from '../ops/metrics';
import type { MemberDirectory } from '../slack/member-directory';
import type { ReplyStreamer } from '../slack/reply-types';
import type { SideWriter } from '../slack/side-writes';
import type { ClaimBook, ThreadHistory, ThreadLeases, UsageCounters } from '../store/thread-store';
import { type AnswerReason, createGate, quotable } from './admission';
import { answerQuestion } from './answer';
import { SpendBudgets, type Spending } from './budgets';
import { Claims } from './claims';
import { DeadlineError } from './deadline';
import { describe, upstreamText } from './describe-error';
import { startHandOff } from './hand-off';
import { Jobs } from './jobs';
import { ModelSlots } from './model-slots';
import { type AnswerMetrics, NO_METRICS, QuestionTrack, trackReplies } from './outcomes';
import { checkBeforeAnswer } from './pre-answer';
import type { KnowledgeDeps } from './retrieval';
import { StoreHealth } from './store-health';
import { alreadyAnswered, removeWritten } from './takeover';
import type { RepliesReader } from './thread-history';
import { ThreadLanes } from './thread-lanes';
import { UserLimits } from './user-limits';
import { SORRY, TOO_LATE, withRef } from './wording';

/** What the handler needs; built once in the composition root. */
export interface HandlerDeps {
  config: Pick<
    Config,
    'history' | 'claimTtlMs' | 'answerTimeoutMs' | 'access' | 'recovery' | 'limits' | 'budgets' | 'deskAdmins'
  >;
  logger: Logger;
  store: ThreadHistory & ClaimBook & ThreadLeases & UsageCounters;
  llm: Llm;
  contexts: ContextRegistry;
  streamer: ReplyStreamer;
  side: SideWriter;
  slack: RepliesReader;
  botUserId: string;
  members: MemberDirectory;
  answerBlocks?: unknown[] | ((context: Context) => unknown[]);
  /** The support desk: handoffs, stepping back, question records. */
  desk?: Desk;
  /** Search of the contexts' knowledge folders (src/answering/retrieval.ts). */
  knowledge?: KnowledgeDeps;
  /** Reading attached files; absent: questions are answered from their text. */
  files?: AttachmentDeps;
  /** Question outcomes, answers in flight and answer times; nothing is reported without. */
  metrics?: AnswerMetrics;
  /** Whether the store is down or only slow, judged with the desk's handoffs; the handler's own without. */
  storeHealth?: StoreHealth;
}

/** Takes Slack message events and answers the ones meant for the bot, once each, in thread order. */
export function createQuestionHandler(deps: HandlerDeps) {
  const { config, logger, store, contexts } = deps;
  const { desk } = deps;
  const gate = createGate({
    ...deps,
    access: config.access,
    history: store,
    ...(desk ? { quiet: (key: string) => desk.quiet(key) } : {}),
  });
  // Claims and thread leases (and the desk's handoffs) judge together whether the store is down or only slow.
  const health = deps.storeHealth ?? new StoreHealth();
  const claims = new Claims(store, config.claimTtlMs, logger, health);
  // A thread lease lives as long as a claim without heartbeat: both say the instance holding them is gone.
  const lanes = new ThreadLanes(store, config.recovery.staleMs, config.answerTimeoutMs * 2, health);
  const limits = new UserLimits(config.limits.perUser);
  const slots = new ModelSlots(config.limits.modelConcurrency);
  const jobs = new Jobs();
  const metrics = deps.metrics ?? NO_METRICS;
  const budgets = new SpendBudgets({ counters: store, budgets: config.budgets, admins: config.deskAdmins, logger });
  const answerDeps = { ...deps, history: store, slots, instructions: cachedInstructions() };

  const contextOf = (message: IncomingMessage) => contexts.forChannel(message.channel, message.channelType === 'im');

  /** Handles one `message` or `app_mention` event; resolves once the question is claimed (not answered). */
  async function onEvent(event: unknown, teamId: string | undefined): Promise<void> {
    const arrivedAt = performance.now();
    const message = parseEvent(event, teamId, deps.botUserId);
    if (typeof message === 'string') {
      logger.debug('event ignored', { reason: message });
      return;
    }
    if (desk) await noticeHelper(desk, store, message, contextOf(message), deps.botUserId);
    const admission = await gate.check(message, contextOf(message));
    if (!admission.admit) {
      logger.debug('message not for the bot', { channel: message.channel, ts: message.ts, reason: admission.why });
      if (!admission.refusal) return;
      const track = new QuestionTrack(metrics, logger, arrivedAt);
      // Claimed without the question, so that a crash before the refusal goes out can never lead to an answer.
      if (await claims.take(messageKey(message), '', message.user))
        decline(message, admission.refusal, admission.why, track);
      else track.end('duplicate');
      return;
    }
    const track = new QuestionTrack(metrics, logger, arrivedAt);
    // Read with the claim, not after it: the budget check costs no round trip of its own.
    const spending = budgets.read(message, admission.context);
    if (!(await claims.take(messageKey(message), JSON.stringify(message), message.user))) {
      logger.debug('duplicate delivery ignored', { channel: message.channel, ts: message.ts, source: message.source });
      track.end('duplicate');
      return;
    }
    if (desk && wantsPerson(message, admission.context)) {
      startHandOff({ claims, jobs, lanes, desk }, message, admission.context, track);
      return;
    }
    admit(message, admission.context, admission.why, [], track, spending);
  }

  /** The last gate before answering a claimed message, also for one taken over from a dead instance. */
  function admit(
    message: IncomingMessage,
    context: Context | undefined,
    why: AnswerReason,
    written: string[],
    track = new QuestionTrack(metrics, logger),
    spending?: Promise<Spending>,
  ): void {
    const id = messageKey(message);
    claims.hold(id);
    jobs.run(async (signal) => {
      const pre = await checkBeforeAnswer({ gate, limits, budgets }, message, context, why, spending);
      if (!pre.go) {
        if (pre.outcome === 'rate_limited') {
          track.log.info('question over the per-person limit', { channel: message.channel, ts: message.ts });
        }
        await say(message, pre.text, pre.why, track, pre.outcome);
        return;
      }
      try {
        await answerClaimed(message, pre.context, why, written, signal, track);
      } finally {
        pre.release();
      }
    });
  }

  /** Posts `text` (if any) in the message's thread, then lets the claim go. */
  async function say(
    message: IncomingMessage,
    text: string | undefined,
    why: string,
    track: QuestionTrack,
    outcome: QuestionOutcome,
  ): Promise<void> {
    track.log.info('question declined', { channel: message.channel, ts: message.ts, reason: why });
    track.end(outcome);
    if (text && !(await deps.side.post({ ...replyPlace(message), ref: track.ref }, text))) {
      track.log.warn('could not decline the question', { channel: message.channel, ts: message.ts });
    }
    await claims.complete(messageKey(message));
    const context = contextOf(message);
    if (desk && text && context) {
      await desk.question(questionRecord(message, context, { outcome: 'refused', startedAt: Date.now() }));
    }
  }

  function decline(
    message: IncomingMessage,
    text: string,
    why: string,
    track: QuestionTrack,
    outcome: QuestionOutcome = 'refused',
  ): void {
    claims.hold(messageKey(message));
    jobs.run(() => say(message, text, why, track, outcome));
  }

  /** Answers a claimed message in its thread's turn, then marks the claim complete. Never rejects. */
  async function answerClaimed(
    message: IncomingMessage,
    context: Context,
    why: AnswerReason,
    written: string[],
    signal: AbortSignal,
    track: QuestionTrack,
  ): Promise<void> {
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

  return {
    onEvent,
    /** Answers a message whose claim this instance took over from a dead one, removing what it had `written`. */
    resume: (message: IncomingMessage, written: string[]) => {
      if (!claims.holds(messageKey(message))) admit(message, contextOf(message), 'recovered', written);
    },
    /** Tells the asker of a question found too late to answer that it was not answered, then lets its claim go. */
    giveUp: (message: IncomingMessage) =>
      decline(message, TOO_LATE, 'too old', new QuestionTrack(metrics, logger), 'failed'),
    /** Ids of the claims this instance holds, for heartbeats. */
    claimedIds: () => claims.heldIds(),
    /** Waits for answers under way, aborting what is left at the deadline; returns how many were still running. */
    drain: (timeoutMs: number) => jobs.drain(timeoutMs),
    /** Stops retrying claim completions (after drain). */
    close: () => claims.close(),
    inFlight: () => jobs.size(),
  };
}

export type QuestionHandler = ReturnType<typeof createQuestionHandler>;
