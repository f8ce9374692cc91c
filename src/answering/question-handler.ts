/** The handler skeleton: filter → claim → gate → answer in thread order → complete, or one apology. */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Context, ContextRegistry } from '../conversation/context';
import { type IncomingMessage, messageKey, parseEvent, replyPlace, threadKey } from '../conversation/incoming';
import { buildInstructions } from '../conversation/prompt';
import type { AttachmentDeps } from '../files/attachments';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { MemberDirectory } from '../slack/member-directory';
import type { ReplyStreamer } from '../slack/reply-types';
import type { SideWriter } from '../slack/side-writes';
import type { ClaimBook, ThreadHistory, ThreadLeases } from '../store/thread-store';
import { type AnswerReason, createGate } from './admission';
import { answerQuestion } from './answer';
import { Claims } from './claims';
import { within } from './deadline';
import { describe, upstreamText } from './describe-error';
import { Jobs } from './jobs';
import { HISTORY_TIMEOUT_MS } from './load-history';
import { ModelSlots } from './model-slots';
import type { KnowledgeDeps } from './retrieval';
import type { RepliesReader } from './thread-history';
import { ThreadLanes } from './thread-lanes';
import { UserLimits } from './user-limits';
import { SORRY, TOO_LATE, TOO_MANY, withRef } from './wording';

/** What the handler needs; built once in the composition root. */
export interface HandlerDeps {
  config: Pick<Config, 'history' | 'claimTtlMs' | 'answerTimeoutMs' | 'access' | 'recovery' | 'limits'>;
  logger: Logger;
  store: ThreadHistory & ClaimBook & ThreadLeases;
  llm: Llm;
  contexts: ContextRegistry;
  streamer: ReplyStreamer;
  side: SideWriter;
  slack: RepliesReader;
  botUserId: string;
  members: MemberDirectory;
  answerBlocks?: unknown[];
  /** Search of the contexts' knowledge folders (src/answering/retrieval.ts). */
  knowledge?: KnowledgeDeps;
  /** Reading attached files; absent: questions are answered from their text. */
  files?: AttachmentDeps;
}

/** Takes Slack message events and answers the ones meant for the bot, once each, in thread order. */
export function createQuestionHandler(deps: HandlerDeps) {
  const { config, logger, store, contexts } = deps;
  const gate = createGate({ ...deps, access: config.access, history: store });
  const claims = new Claims(store, config.claimTtlMs, logger);
  // A thread lease lives as long as a claim without heartbeat: both say the instance holding them is gone.
  const lanes = new ThreadLanes(store, config.recovery.staleMs, config.answerTimeoutMs * 2);
  const limits = new UserLimits(config.limits.perUser);
  const slots = new ModelSlots(config.limits.modelConcurrency);
  const jobs = new Jobs();
  const instructionsFor = new WeakMap<Context, string>();
  const answerDeps = {
    ...deps,
    history: store,
    slots,
    instructions(context: Context): string {
      let text = instructionsFor.get(context);
      if (text === undefined) {
        text = buildInstructions(context);
        instructionsFor.set(context, text);
      }
      return text;
    },
  };

  const contextOf = (message: IncomingMessage) => contexts.forChannel(message.channel, message.channelType === 'im');

  /** Handles one `message` or `app_mention` event; resolves once the question is claimed (not answered). */
  async function onEvent(event: unknown, teamId: string | undefined): Promise<void> {
    const message = parseEvent(event, teamId, deps.botUserId);
    if (typeof message === 'string') {
      logger.debug('event ignored', { reason: message });
      return;
    }
    const admission = await gate.check(message, contextOf(message));
    if (!admission.admit) {
      logger.debug('message not for the bot', { channel: message.channel, ts: message.ts, reason: admission.why });
      // Claimed without the question, so that a crash before the refusal goes out can never lead to an answer.
      if (admission.refusal && (await claims.take(messageKey(message), '', message.user))) {
        decline(message, admission.refusal, admission.why);
      }
      return;
    }
    if (!(await claims.take(messageKey(message), JSON.stringify(message), message.user))) {
      logger.debug('duplicate delivery ignored', { channel: message.channel, ts: message.ts, source: message.source });
      return;
    }
    admit(message, admission.context, admission.why, []);
  }

  /** The last gate before answering a claimed message, also for one taken over from a dead instance. */
  function admit(message: IncomingMessage, context: Context | undefined, why: AnswerReason, written: string[]): void {
    const id = messageKey(message);
    claims.hold(id);
    jobs.run(async (signal) => {
      const admission = await gate.recheck(message, context, why);
      if (!admission.admit) {
        await say(message, admission.refusal, admission.why);
        return;
      }
      const place = limits.take(message.user);
      if (!place.ok) {
        logger.info('question over the per-person limit', { channel: message.channel, ts: message.ts });
        await say(message, place.notify ? TOO_MANY : undefined, 'over limit');
        return;
      }
      try {
        await answerClaimed(message, admission.context, why, written, signal);
      } finally {
        place.release();
      }
    });
  }

  /** Posts `text` (if any) in the message's thread, then lets the claim go. */
  async function say(message: IncomingMessage, text: string | undefined, why: string): Promise<void> {
    logger.info('question declined', { channel: message.channel, ts: message.ts, reason: why });
    if (text && !(await deps.side.post(replyPlace(message), text))) {
      logger.warn('could not decline the question', { channel: message.channel, ts: message.ts });
    }
    await claims.complete(messageKey(message));
  }

  function decline(message: IncomingMessage, text: string, why: string): void {
    claims.hold(messageKey(message));
    jobs.run(() => say(message, text, why));
  }

  /** Answers a claimed message in its thread's turn, then marks the claim complete. Never rejects. */
  async function answerClaimed(
    message: IncomingMessage,
    context: Context,
    why: AnswerReason,
    written: string[],
    signal: AbortSignal,
  ): Promise<void> {
    const ref = randomBytes(4).toString('hex');
    const id = messageKey(message);
    try {
      await lanes.run(threadKey(message), message.ts, async () => {
        if (why === 'recovered') {
          if (await alreadyAnswered(message)) {
            logger.info('question taken over was already answered', { ref, channel: message.channel, ts: message.ts });
            return;
          }
          await removeWritten(message, written, ref);
        }
        await answerQuestion(answerDeps, {
          message,
          context,
          ref,
          signal,
          mayQuote: (user, userTeam) => mayQuote(context, message.team, user, userTeam),
          onMessage: (ts) => claims.noteWritten(id, ts),
        });
        logger.info('answered', { ref, channel: message.channel, ts: message.ts, why });
      });
    } catch (err) {
      logger.error('answer failed', { ref, channel: message.channel, ts: message.ts, error: describe(err) });
      const text = upstreamText(err);
      if (text) logger.debug('model error text', { ref, text });
      if (!(await deps.side.post(replyPlace(message), withRef(SORRY, ref)))) {
        logger.error('could not post the apology', { ref, channel: message.channel, ts: message.ts });
      }
    } finally {
      await claims.complete(id);
    }
  }

  // People the bot would not answer under this context (Slack Connect externals, people allow_users leaves out):
  // their words are not passed to the model either.
  function mayQuote(context: Context, team: string, user: string, userTeam: string | undefined): boolean {
    if (userTeam && userTeam !== team && !config.access.allowExternalUsers) return false;
    return context.allowUsers.length === 0 || context.allowUsers.includes(user);
  }

  // A claim whose `complete` was lost while its answer was saved: the answer is there, nothing to redo.
  async function alreadyAnswered(message: IncomingMessage): Promise<boolean> {
    const turns = await within(store.load(threadKey(message)), HISTORY_TIMEOUT_MS, 'loading the thread').catch(
      () => [],
    );
    return turns.some((turn) => turn.role === 'user' && turn.ts === message.ts);
  }

  // What a dead instance had written of its answer (a stream cut off mid-sentence) goes, so the asker sees one
  // whole answer; only messages recorded as written for this question, never another question's answer.
  async function removeWritten(message: IncomingMessage, written: string[], ref: string): Promise<void> {
    for (const ts of written) {
      if (await deps.side.remove(message, ts)) logger.info('removed a reply left unfinished', { ref, ts });
      else logger.warn('could not remove a reply left unfinished', { ref, ts });
    }
  }

  return {
    onEvent,
    /** Answers a message whose claim this instance took over from a dead one, removing what it had `written`. */
    resume: (message: IncomingMessage, written: string[]) => {
      if (!claims.holds(messageKey(message))) admit(message, contextOf(message), 'recovered', written);
    },
    /** Tells the asker of a question found too late to answer that it was not answered, then lets its claim go. */
    giveUp: (message: IncomingMessage) => decline(message, TOO_LATE, 'too old'),
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
