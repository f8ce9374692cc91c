// Opening a reply's next message: a stream where the budget allows, otherwise a post; and the first piece of text.
import { fenceCloser, fenceOpener, findSafeBreak } from '../conversation/split';
import type { PlanContext, ReplyState, ReplyStep } from './reply-state';
import type { WriteMethod } from './write-limits';

/** Room kept at the end of a message for the fence line that closes a code block cut there. */
export const CLOSE_ROOM = 8;

/** The step that opens a message: a stream started where the workspace is calm, else a message posted (or a wait). */
export function planOpen(state: ReplyState, ctx: PlanContext): ReplyStep {
  const { budget, team, channel, options } = ctx;
  let streamBudgetUsedUp = false;
  if (!state.fallback && ctx.streamingRefused) state.fallback = true;
  const pressure = budget.pressure(team);
  if (!state.fallback) {
    const stop = pressure === 'calm' ? budget.reserve(team, 'chat.stopStream') : null;
    if (stop && budget.tryTake(team, 'chat.startStream')) {
      const { text, answer } = firstPiece(state, options.maxStreamChars);
      const chunks = state.chunks && !ctx.chunksRefused ? { chunks: state.chunks } : {};
      return { kind: 'start', text, answer, stop, ...chunks };
    }
    stop?.cancel();
    state.fallback = true;
    streamBudgetUsedUp = true;
  }
  const { text, answer, all, close, next } = firstPiece(state, options.maxFallbackChars);
  const last = state.ending && all;
  // Like a stream's stop, the update that completes a posted message is reserved before it is posted.
  const finalUpdate = last ? null : budget.reserve(team, 'chat.update');
  if (!last && !finalUpdate) {
    // Saturated: no update slot to finish a message with, so each message is posted whole once the model is done.
    // Meanwhile the reply waits in the budget's line for an update slot instead of planning again on every delta:
    // woken when one frees (to post and reserve its final update), or by the end of the answer.
    if (!state.ending) return waitForSlot(ctx, 'chat.update');
    if (!budget.tryTake(team, 'chat.postMessage', channel)) return waitForSlot(ctx, 'chat.postMessage', channel);
    state.usedFallback = true;
    const piece = text + close;
    return {
      kind: 'post',
      text: piece,
      answer,
      blocks: undefined,
      finalUpdate: null,
      next,
      quiet: true,
      streamBudgetUsedUp,
    };
  }
  if (!budget.tryTake(team, 'chat.postMessage', channel)) {
    finalUpdate?.cancel();
    return waitForSlot(ctx, 'chat.postMessage', channel);
  }
  state.usedFallback = true;
  const blocks = finalUpdate ? undefined : state.blocks;
  // Under pressure a posted message gets no updates in the middle: the text waits for its one final update.
  const quiet = pressure !== 'calm';
  return { kind: 'post', text, answer, blocks, finalUpdate, next: '', quiet, streamBudgetUsedUp };
}

/**
 * The start of a new message: what is pending, cut at a safe break if too long, after a reopened code fence; `close`
 * and `next` end and reopen a code block cut there, for a message that is posted whole.
 */
function firstPiece(state: ReplyState, limit: number) {
  const text = state.reopen + state.pending;
  if (text.length <= limit) return { text, answer: state.pending, all: true, close: '', next: '' };
  const cut = findSafeBreak(text, limit - CLOSE_ROOM, state.reopen.length + 1);
  const close = cut.fence ? fenceCloser(text.slice(0, cut.index), cut.fence) : '';
  const next = cut.fence ? fenceOpener(cut.fence) : '';
  const answer = text.slice(state.reopen.length, cut.index);
  return { text: text.slice(0, cut.index), answer, all: false, close, next };
}

/** Waits for a slot of `method`, woken by the budget when one frees (no timer of the reply's own). */
export function waitForSlot(ctx: PlanContext, method: WriteMethod, key?: string): ReplyStep {
  return { kind: 'wait', ms: ctx.budget.nextFreeIn(ctx.team, method, key), method, key };
}
