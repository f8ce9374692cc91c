/** The handler skeleton: filter → claim → gate → answer in thread order → complete, or one apology. */
import type { Context } from '../conversation/context';
import { type IncomingMessage, messageKey, parseEvent } from '../conversation/incoming';
import { cachedInstructions } from '../conversation/prompt';
import { noticeHelper, wantsPerson } from '../desk/desk-questions';
import { type AnswerReason, createGate } from './admission';
import { answerClaimed } from './answer-claimed';
import { SpendBudgets, type Spending } from './budgets';
import { Claims } from './claims';
import { decline, say } from './decline';
import { startHandOff } from './hand-off';
import type { HandlerDeps } from './handler-deps';
import { Jobs } from './jobs';
import { ModelSlots } from './model-slots';
import { NO_METRICS, QuestionTrack } from './outcomes';
import { checkBeforeAnswer } from './pre-answer';
import { TurnSaver } from './save-turn';
import { StoreHealth } from './store-health';
import { ThreadLanes } from './thread-lanes';
import { UserLimits } from './user-limits';
import { TOO_LATE } from './wording';

export type { HandlerDeps } from './handler-deps';

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
  const saves = new TurnSaver({ history: store, retentionMs: config.history.retentionMs, logger });
  const answerDeps = { ...deps, history: store, saves, slots, instructions: cachedInstructions() };

  const contextOf = (message: IncomingMessage) => contexts.forChannel(message.channel, message.channelType === 'im');
  const answering = { ...deps, claims, lanes, budgets, answerDeps };
  const declining = { ...deps, claims, jobs, contextOf };

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
        decline(declining, message, admission.refusal, admission.why, track);
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
        await say(declining, message, pre.text, pre.why, track, pre.outcome);
        return;
      }
      try {
        await answerClaimed(answering, message, pre.context, why, written, signal, track);
      } finally {
        pre.release();
      }
    });
  }

  return {
    onEvent,
    /** Answers a message whose claim this instance took over from a dead one, removing what it had `written`. */
    resume: (message: IncomingMessage, written: string[]) => {
      if (!claims.holds(messageKey(message))) admit(message, contextOf(message), 'recovered', written);
    },
    /** Tells the asker of a question found too late to answer that it was not answered, then lets its claim go. */
    giveUp: (message: IncomingMessage) =>
      decline(declining, message, TOO_LATE, 'too old', new QuestionTrack(metrics, logger), 'failed'),
    /** Ids of the claims this instance holds, for heartbeats. */
    claimedIds: () => claims.heldIds(),
    /**
     * Waits for answers under way, aborting what is left at the deadline, then tries once more the turns whose save is
     * still being retried; returns how many answers were still running.
     */
    drain: async (timeoutMs: number) => {
      const unfinished = await jobs.drain(timeoutMs);
      await saves.flush();
      return unfinished;
    },
    /** Stops retrying claim completions (after drain). */
    close: () => claims.close(),
    inFlight: () => jobs.size(),
  };
}

export type QuestionHandler = ReturnType<typeof createQuestionHandler>;
