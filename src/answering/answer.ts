/** One answer: status → history → prompt → model (in its turn) → reply → saved turn. */
import type { Config } from '../config';
import type { Context } from '../conversation/context';
import { type IncomingMessage, replyPlace } from '../conversation/incoming';
import { buildRequest } from '../conversation/prompt';
import { onlyMentions } from '../conversation/should-answer';
import type { AttachmentDeps } from '../files/attachments';
import { NOT_IN_GUIDES_REPLY } from '../knowledge';
import type { Llm, LlmUsage } from '../llm/llm';
import type { Logger } from '../logger';
import type { ReplyStreamer } from '../slack/reply-types';
import type { SideWriter } from '../slack/side-writes';
import type { ThreadHistory } from '../store/thread-store';
import { deadlineSignal, within } from './deadline';
import { describe, upstreamText } from './describe-error';
import { loadHistory } from './load-history';
import type { ModelSlots } from './model-slots';
import { attachImages, hasQuestionFiles, NO_FILES, questionWithFiles, readQuestionFiles } from './question-files';
import { requestIds } from './request-ids';
import { type KnowledgeDeps, NO_KNOWLEDGE, retrieveKnowledge, workingStatus } from './retrieval';
import type { TurnSaver } from './save-turn';
import { streamAnswer } from './stream-answer';
import type { RepliesReader } from './thread-history';
import { CUT_SHORT, CUT_SHORT_MARK, GREETING, IMAGES_NOT_SEEN, TRUNCATED, withRef } from './wording';

/** What answering needs; built once in the composition root. */
export interface AnswerDeps {
  config: Pick<Config, 'history' | 'answerTimeoutMs'>;
  logger: Logger;
  history: Pick<ThreadHistory, 'load'>;
  /** Saves each question and answer as the thread's turns. */
  saves: Pick<TurnSaver, 'save'>;
  llm: Llm;
  streamer: ReplyStreamer;
  side: SideWriter;
  slack: RepliesReader;
  botUserId: string;
  slots: ModelSlots;
  /** The model instructions for a context (cached per context version). */
  instructions(context: Context): string;
  /** Blocks attached to the end of every answer (feedback buttons). */
  answerBlocks?: unknown[] | ((context: Context) => unknown[]);
  /** Search of the contexts' knowledge folders. */
  knowledge?: KnowledgeDeps;
  /** Reading attached files (absent: files are not read, as in tools that answer text only). */
  files?: AttachmentDeps;
}

/** One question to answer now. */
export interface AnswerJob {
  message: IncomingMessage;
  context: Context;
  ref: string;
  /** Aborts at the shutdown deadline: the answer ends with the cut-short note. */
  signal: AbortSignal;
  /** Whose words from the thread may reach the model. */
  mayQuote(user: string, userTeam: string | undefined): boolean;
  /** Called with each Slack message the answer writes, as soon as it exists. */
  onMessage(ts: string): void;
  /** Called when the answer's time limit (ANSWER_TIMEOUT_MS) cut it, before it resolves or rejects. */
  onDeadline?(): void;
}

/** How a delivered answer ended: the model's token usage, and whether it was cut short. */
export interface AnswerEnd {
  usage?: LlmUsage;
  cutShort: boolean;
}

/**
 * Resolves in the event loop's turn after this one. undici writes a request on a reused connection in the check
 * phase (setImmediate, once it has seen the socket is still open): work queued there before it, such as building a
 * Slack status call (~0.15 ms each), delays every model request of a burst. Measured with 200 questions at once: the
 * status calls in the same turn held the model requests back 10–20 ms; a turn later, they no longer go first.
 */
function afterModelRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Answers one question in its thread; rejects only when nothing of an answer reached Slack. */
export async function answerQuestion(deps: AnswerDeps, job: AnswerJob): Promise<AnswerEnd> {
  const { message, context, ref } = job;
  const place = { ...replyPlace(message), ref };
  const status = afterModelRequests().then(() => deps.side.status(place, workingStatus(deps.knowledge, context)));
  const history = await loadHistory(deps, message, job.mayQuote, ref);
  const bareMention = history.length === 0 && !message.files && onlyMentions(message.text, deps.botUserId);
  const found = bareMention ? NO_KNOWLEDGE : await retrieveKnowledge(deps, context, message.text, history, ref);
  const reply = found.cite(
    deps.streamer.open({
      ...place,
      userId: message.user,
      isDm: message.channelType === 'im',
      onMessage: job.onMessage,
      chunks: found.chunks,
    }),
  );
  const save = (text: string, ts: string | undefined, counted: boolean) =>
    deps.saves.save(message, { text, ts: ts ?? message.ts, counted });
  // A bare mention with nothing to read gives the model nothing to answer: ask instead. The saved turn makes the
  // asker's reply in the thread a follow-up, answered without a new mention. A `knowledge_only` context whose guides
  // are silent says so without asking the model to improvise.
  const fixed = bareMention ? GREETING : found.abstain ? NOT_IN_GUIDES_REPLY : undefined;
  if (fixed) {
    reply.write(fixed);
    const result = await reply.finish();
    await status;
    await save(fixed, result.messageTs[0], false);
    return { cutShort: false };
  }
  const files = hasQuestionFiles(deps.files, message, history)
    ? await readQuestionFiles(deps.files, message, history, ref)
    : NO_FILES;
  const { request, kept, counted } = buildRequest({
    context,
    instructions: deps.instructions(context),
    history,
    question: questionWithFiles(message.text, files),
    tokenBudget: deps.config.history.tokenBudget,
    passages: found.passages,
  });
  attachImages(request, files.images);
  Object.assign(request, requestIds(message));
  deps.logger.debug('asking the model', { ref, historyTurns: history.length, keptTurns: kept });
  // The model slot is held while the model streams only: a reply waiting for Slack must not hold back the next
  // question's model request.
  let started = 0;
  let limit: ReturnType<typeof deadlineSignal> | undefined;
  try {
    const outcome = await deps.slots
      .run(() => {
        // The answer's time limit runs from its turn with the model to the last write of its reply.
        started = Date.now();
        limit = deadlineSignal(job.signal, deps.config.answerTimeoutMs);
        return streamAnswer(deps.llm, request, reply, limit.signal);
      }, job.signal)
      // Also when the model's turn never came (shut down while waiting): the image memory goes back either way.
      .finally(files.release);
    if (outcome.error !== undefined) {
      deps.logger.warn('answer cut short', { ref, error: describe(outcome.error) });
      const text = upstreamText(outcome.error);
      if (text) deps.logger.debug('model error text', { ref, text });
      const result = await reply.abort(withRef(CUT_SHORT, ref));
      await save(`${found.forHistory(outcome.text)}\n\n${CUT_SHORT_MARK}`, result.messageTs[0], counted);
      return { usage: outcome.usage, cutShort: true };
    }
    if (outcome.truncated) reply.write(TRUNCATED);
    if (files.imagesUnseen(outcome.visionRejected)) reply.write(IMAGES_NOT_SEEN);
    const left = deps.config.answerTimeoutMs - (Date.now() - started);
    const blocks = typeof deps.answerBlocks === 'function' ? deps.answerBlocks(context) : deps.answerBlocks;
    const result = await within(reply.finish({ blocks }), left, 'finishing the reply');
    await status;
    await save(found.forHistory(outcome.text), result.messageTs[0], counted);
    return { usage: outcome.usage, cutShort: false };
  } finally {
    if (limit?.signal.aborted && !job.signal.aborted) job.onDeadline?.();
    limit?.clear();
  }
}
