import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Context, ContextRegistry } from '../conversation/context';
import { type IncomingMessage, messageKey, parseEvent, threadKey } from '../conversation/incoming';
import { buildInstructions, buildRequest } from '../conversation/prompt';
import { mentions, onlyMentions, shouldAnswer, type Verdict } from '../conversation/should-answer';
import { countTokens } from '../conversation/tokens';
import type { Turn } from '../conversation/turn';
import { LlmError } from '../errors';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { MemberDirectory } from '../slack/member-directory';
import type { ReplyStreamer } from '../slack/reply-types';
import { safeText } from '../slack/safe-text';
import type { ThreadStore } from '../store/thread-store';
import { findLeftovers, type RepliesReader, readThreadFromSlack } from './thread-history';
import { ThreadLanes } from './thread-lanes';

/** The Slack calls the answering flow makes besides streaming the reply. */
export interface SlackSide extends RepliesReader {
  assistant: {
    threads: { setStatus(args: { channel_id: string; thread_ts: string; status: string }): Promise<unknown> };
  };
  chat: {
    postMessage(args: { channel: string; thread_ts: string; text: string }): Promise<unknown>;
    delete(args: { channel: string; ts: string }): Promise<unknown>;
  };
}

/** What the answering flow needs; built once in the composition root. */
export interface AnswerDeps {
  config: Pick<Config, 'history' | 'claimTtlMs' | 'answerTimeoutMs' | 'access' | 'recovery'>;
  logger: Logger;
  store: ThreadStore;
  llm: Llm;
  contexts: ContextRegistry;
  streamer: ReplyStreamer;
  slack: SlackSide;
  botUserId: string;
  /** Looks up guests when DMs are limited to members (DM_MEMBERS_ONLY). */
  members: MemberDirectory;
  /** Blocks attached to the end of every answer (feedback buttons). */
  answerBlocks?: unknown[];
}

const SORRY = "Sorry, I couldn't answer that just now. Please try again in a minute";
const CUT_SHORT = '…my answer was cut short';
const MEMBERS_ONLY = 'Sorry, I can only help full members of this workspace. Please ask your contact here for help.';
/** What someone who asked the bot directly is told when it will not answer them, by the reason. */
const REFUSALS: Partial<Record<Verdict['why'], string>> = {
  'no-context': "Sorry, I don't answer questions here. Please ask in one of the support channels.",
  'not-allowed': "Sorry, I can't help you with this here. Please ask the team that runs this channel.",
  'external-user': 'Sorry, I can only help people in this organisation. Please ask your contact here for help.',
};
const GREETING = 'Hi! What can I help you with? Ask me here in this thread.';
const TOO_LATE =
  "Sorry, I was offline when you asked this and it's been too long for me to answer it now. Please ask again if you still need help.";

/**
 * Resolves in the event loop's turn after this one. undici writes a request on a reused connection in the check
 * phase (setImmediate, once it has seen the socket is still open): work queued there before it, such as building a
 * Slack status call (~0.15 ms each), delays every model request of a burst. Measured with 200 questions at once: the
 * status calls in the same turn held the model requests back 10–20 ms; a turn later, they no longer go first.
 */
function afterModelRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Takes Slack message events and answers the ones meant for the bot, once each, in thread order. */
export function createQuestionHandler(deps: AnswerDeps) {
  const { config, logger, store, contexts } = deps;
  // A thread lease lives as long as a claim without heartbeat: both say the instance holding them is gone.
  const lanes = new ThreadLanes(store, config.recovery.staleMs, config.answerTimeoutMs * 2);
  const inFlight = new Set<Promise<void>>();
  const claimed = new Set<string>();
  const instructionsFor = new WeakMap<Context, string>();

  function instructions(context: Context): string {
    let text = instructionsFor.get(context);
    if (text === undefined) {
      text = buildInstructions(context);
      instructionsFor.set(context, text);
    }
    return text;
  }

  async function decide(message: IncomingMessage, context: Context | undefined): Promise<Verdict> {
    const facts = {
      botUserId: deps.botUserId,
      context,
      inThread: false,
      allowExternalUsers: config.access.allowExternalUsers,
    };
    const needsThreadLookup =
      message.threadTs !== undefined && message.channelType !== 'im' && !mentions(message.text, deps.botUserId);
    if (needsThreadLookup && message.source === 'message') {
      facts.inThread = await store.load(threadKey(message)).then(
        (turns) => turns.length > 0,
        () => false,
      );
    }
    return shouldAnswer(message, facts);
  }

  /** Handles one `message` or `app_mention` event; resolves once the question is claimed (not answered). */
  async function onEvent(event: unknown, teamId: string | undefined): Promise<void> {
    const message = parseEvent(event, teamId, deps.botUserId);
    if (typeof message === 'string') {
      logger.debug('event ignored', { reason: message });
      return;
    }
    const context = contexts.forChannel(message.channel, message.channelType === 'im');
    const verdict = await decide(message, context);
    if (!verdict.answer || !context) {
      logger.debug('message not for the bot', { channel: message.channel, ts: message.ts, reason: verdict.why });
      // Someone who asked the bot directly is told it will not help here, rather than left waiting.
      const refusal = addressed(message) ? REFUSALS[verdict.why] : undefined;
      // Claimed without the question, so that a crash before the refusal goes out can never lead to an answer.
      if (refusal && (await claim(message, ''))) await decline(message, refusal, verdict.why);
      return;
    }
    const won = await claim(message);
    if (!won) {
      logger.debug('duplicate delivery ignored', { channel: message.channel, ts: message.ts, source: message.source });
      return;
    }
    await admit(message, context, verdict.why);
  }

  /** The last gate before answering a claimed message, also for one taken over from a dead instance. */
  async function admit(message: IncomingMessage, context: Context, why: string): Promise<void> {
    if (message.channelType === 'im' && config.access.dmMembersOnly && !(await isMember(message.user))) {
      await decline(message, MEMBERS_ONLY, 'guest');
      return;
    }
    track(message, context, why);
  }

  function addressed(message: IncomingMessage): boolean {
    return message.channelType === 'im' || message.source === 'app_mention' || mentions(message.text, deps.botUserId);
  }

  async function decline(message: IncomingMessage, text: string, why: string): Promise<void> {
    logger.info('question declined', { channel: message.channel, ts: message.ts, reason: why });
    await deps.slack.chat
      .postMessage({ channel: message.channel, thread_ts: message.threadTs ?? message.ts, text })
      .catch((err: unknown) => logger.warn('could not decline the question', { error: describe(err) }));
    await store.complete(messageKey(message)).catch(() => undefined);
  }

  // With the store unreachable the bot still answers, without memory: claims fall back to this process alone.
  const localClaims = new Map<string, number>();
  async function claim(message: IncomingMessage, payload = JSON.stringify(message)): Promise<boolean> {
    const id = messageKey(message);
    const expiresAt = Date.now() + config.claimTtlMs;
    try {
      return await store.claim(id, payload, expiresAt, message.user);
    } catch (err) {
      logger.warn('store unreachable: answering without memory', { error: describe(err) });
      const now = Date.now();
      for (const [key, until] of localClaims) if (until < now) localClaims.delete(key);
      if ((localClaims.get(id) ?? 0) > now) return false;
      localClaims.set(id, expiresAt);
      return true;
    }
  }

  // When the lookup itself fails, the safe answer is "not a member": the guest gets a polite refusal.
  function isMember(user: string): Promise<boolean> {
    return deps.members.isMember(user).catch((err: unknown) => {
      logger.warn('users.info failed', { error: describe(err) });
      return false;
    });
  }

  function track(message: IncomingMessage, context: Context, why: string): void {
    const id = messageKey(message);
    claimed.add(id);
    const work = answerClaimed(message, context, why);
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      claimed.delete(id);
    });
  }

  /** Answers a message this instance has claimed, then marks the claim complete. Never rejects. */
  async function answerClaimed(message: IncomingMessage, context: Context, why: string): Promise<void> {
    const ref = randomBytes(4).toString('hex');
    const threadTs = message.threadTs ?? message.ts;
    try {
      await lanes.run(threadKey(message), message.ts, async () => {
        if (why === 'recovered') await clearLeftovers(message, ref);
        await answer(message, context, ref);
      });
      logger.info('answered', { ref, channel: message.channel, ts: message.ts, why });
    } catch (err) {
      logger.error('answer failed', { ref, channel: message.channel, ts: message.ts, error: describe(err) });
      if (upstreamText(err)) logger.debug('model error text', { ref, text: upstreamText(err) });
      await deps.slack.chat
        .postMessage({ channel: message.channel, thread_ts: threadTs, text: `${SORRY} (ref \`${ref}\`).` })
        .catch((postErr: unknown) => logger.error('could not post the apology', { ref, error: describe(postErr) }));
    } finally {
      await store.complete(messageKey(message)).catch(() => undefined);
    }
  }

  // A question taken over from a dead instance may have the start of its answer in Slack already (a stream cut off
  // mid-sentence): that goes, so the asker sees one whole answer. Best effort: failing here never stops the answer.
  async function clearLeftovers(message: IncomingMessage, ref: string): Promise<void> {
    const { channel } = message;
    try {
      const threadTs = message.threadTs ?? message.ts;
      const botUserId = deps.botUserId;
      for (const ts of await findLeftovers(deps.slack, { channel, threadTs, afterTs: message.ts, botUserId })) {
        await deps.slack.chat.delete({ channel, ts });
        logger.info('removed a reply left unfinished', { ref, channel, ts });
      }
    } catch (err) {
      logger.warn('could not remove a reply left unfinished', { ref, channel, error: describe(err) });
    }
  }

  async function answer(message: IncomingMessage, context: Context, ref: string): Promise<void> {
    const key = threadKey(message);
    const threadTs = message.threadTs ?? message.ts;
    const status = afterModelRequests()
      .then(() =>
        deps.slack.assistant.threads.setStatus({
          channel_id: message.channel,
          thread_ts: threadTs,
          status: 'is looking into it…',
        }),
      )
      .catch((err: unknown) => logger.debug('status not set', { ref, error: describe(err) }));
    // A message that is not in a thread starts one: there is nothing to load, so the model is asked a round trip sooner.
    let history = !message.threadTs
      ? []
      : await store.load(key).catch((err: unknown) => {
          logger.warn('could not load the thread: answering without its history', { ref, error: describe(err) });
          return [];
        });
    if (history.length === 0 && message.threadTs) {
      history = await readThreadFromSlack(deps.slack, {
        channel: message.channel,
        threadTs,
        beforeTs: message.ts,
        botUserId: deps.botUserId,
      }).catch((err: unknown) => {
        logger.warn('could not read the thread from Slack', { ref, error: describe(err) });
        return [];
      });
    }
    if (history.length === 0 && onlyMentions(message.text, deps.botUserId)) {
      await greet(message, key);
      await status;
      return;
    }
    const { request, kept, counted } = buildRequest({
      context,
      instructions: instructions(context),
      history,
      question: message.text,
      tokenBudget: config.history.tokenBudget,
    });
    logger.debug('asking the model', { ref, historyTurns: history.length, keptTurns: kept });
    const reply = openReply(message);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), config.answerTimeoutMs);
    let text = '';
    let truncated = false;
    try {
      for await (const event of deps.llm.stream(request, { signal: abort.signal })) {
        if (event.type === 'delta') {
          text += event.text;
          reply.write(event.text);
        } else {
          truncated = event.truncated === true;
        }
      }
      if (abort.signal.aborted) throw new LlmError('timeout', 'answer took longer than ANSWER_TIMEOUT_MS');
    } catch (err) {
      if (text === '') throw err;
      logger.warn('answer cut short', { ref, error: describe(err) });
      if (upstreamText(err)) logger.debug('model error text', { ref, text: upstreamText(err) });
      await reply.abort(`${CUT_SHORT} (ref \`${ref}\`).`);
      await save(key, message, `${text}\n\n[answer cut short]`, message.ts, counted);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (text === '') throw new LlmError('server', 'the model returned an empty answer');
    if (truncated) reply.write('\n\n_…(answer truncated: it reached the length limit)_');
    const result = await reply.finish({ blocks: deps.answerBlocks });
    await status;
    await save(key, message, text, result.messageTs[0], counted);
  }

  function openReply(message: IncomingMessage) {
    const { team, channel, user: userId } = message;
    const threadTs = message.threadTs ?? message.ts;
    return deps.streamer.open({ team, channel, threadTs, userId, isDm: message.channelType === 'im' });
  }

  // A bare mention with nothing to read gives the model nothing to answer: ask instead. The saved turn makes the
  // asker's reply in the thread a follow-up, answered without a new mention.
  async function greet(message: IncomingMessage, key: string): Promise<void> {
    const reply = openReply(message);
    reply.write(GREETING);
    const result = await reply.finish();
    await save(key, message, GREETING, result.messageTs[0], false);
  }

  // The answer is already in Slack: a store failure here is logged, never turned into an apology. Token counts are
  // stored once the thread is long enough for trimming to count them (`counted`), so short threads never tokenize.
  async function save(
    key: string,
    message: IncomingMessage,
    answerText: string,
    answerTs: string,
    counted: boolean,
  ): Promise<void> {
    const tokens = (text: string) => (counted ? { tokens: countTokens(text) } : {});
    // A key pasted into a question, or echoed by the model, is not kept (nor sent again with later questions).
    const [question, answer] = [safeText(message.text), safeText(answerText)];
    const turns: Turn[] = [
      { role: 'user', text: question, ts: message.ts, user: message.user, ...tokens(question) },
      { role: 'assistant', text: answer, ts: answerTs, ...tokens(answer) },
    ];
    await store
      .append(key, turns, Date.now() + config.history.retentionMs)
      .catch((err: unknown) =>
        logger.error('could not save the turn', { channel: message.channel, error: describe(err) }),
      );
  }

  /** Waits for answers under way, up to `timeoutMs`; returns how many were still running. */
  async function drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, deadline - Date.now());
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    }
    return inFlight.size;
  }

  return {
    onEvent,
    /** Answers a message whose claim this instance took over from a dead one. */
    resume: (message: IncomingMessage, context: Context) => admit(message, context, 'recovered'),
    /** Tells the asker of a question found too late to answer that it was not answered, then lets its claim go. */
    giveUp: (message: IncomingMessage) => decline(message, TOO_LATE, 'too old'),
    /** Ids of the claims this instance is answering or has queued, for heartbeats. */
    claimedIds: () => [...claimed],
    drain,
    inFlight: () => inFlight.size,
  };
}

export type QuestionHandler = ReturnType<typeof createQuestionHandler>;

/**
 * An error reduced to what a log line may carry: name, kind, status, and a redacted message. A model server's own
 * error text can quote the request (validation errors echo their input), so of those only the codes are kept.
 */
export function describe(err: unknown): Record<string, unknown> {
  if (err instanceof LlmError) {
    const base = { name: err.name, kind: err.kind, status: err.status };
    const upstream = upstreamError(err);
    return upstream
      ? { ...base, code: upstream.code ?? undefined, type: upstream.type ?? undefined }
      : { ...base, message: err.message };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(code ? { code } : {}) };
  }
  return { message: String(err) };
}

/** The model server's error behind an LlmError (an HTTP error status, or an error event in the stream), if any. */
function upstreamError(err: LlmError): { code?: unknown; type?: unknown } | undefined {
  const cause = err.cause as { error?: unknown; code?: unknown; type?: unknown } | undefined;
  const fromServer = err.status !== undefined || (typeof cause?.error === 'object' && cause.error !== null);
  return fromServer ? (cause ?? {}) : undefined;
}

/** The model server's words about a failure, for debug lines only (they may quote the question). */
export function upstreamText(err: unknown): string | undefined {
  return err instanceof LlmError && upstreamError(err) ? err.message : undefined;
}
