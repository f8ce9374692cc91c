// The reply's decisions, without Slack: what to send next (where to cut, which call, when), from its state and budget.
import { fenceCloser, fenceOpener, findSafeBreak, openFenceAt } from '../conversation/split';
import { CLOSE_ROOM, planOpen, waitForSlot } from './reply-plan-open';
import type { OpenMessage, PlanContext, ReplyState, ReplyStep } from './reply-state';
import type { ReplyStreamOptions } from './reply-types';
import type { WriteMethod } from './write-limits';

const IDLE: ReplyStep = { kind: 'idle' };
const DONE: ReplyStep = { kind: 'done' };
/** Longest wait before looking at the budget again (other replies may cancel reservations meanwhile). */
const MAX_WAIT_MS = 5_000;
/** chat.update slots that updates in the middle of a message leave free, so new posted messages can reserve theirs. */
const UPDATE_HEADROOM = 9;

export function newReplyState(): ReplyState {
  return {
    pending: '',
    reopen: '',
    message: null,
    orphan: null,
    fallback: false,
    usedFallback: false,
    ending: false,
    chunks: undefined,
    blocks: undefined,
    failed: false,
    errors: 0,
    lastCallAt: Number.NEGATIVE_INFINITY,
    writes: 0,
    delivered: '',
    messageTs: [],
  };
}

/** Takes model output: 'added', 'ignored' (empty, or the reply gave up) or 'late' (after finish; dropped). */
export function addText(state: ReplyState, delta: string): 'added' | 'ignored' | 'late' {
  if (typeof delta !== 'string' || delta === '' || state.failed) return 'ignored';
  if (state.ending) return 'late';
  state.pending += delta;
  return 'added';
}

/** Marks the end of the answer (with the blocks for its last message, or a note saying it was cut short). */
export function endReply(state: ReplyState, blocks: unknown[] | undefined, note: string | undefined): boolean {
  if (state.ending) return false;
  if (note && !state.failed) state.pending += noteAfter(state.delivered + state.pending, note);
  state.ending = true;
  state.blocks = blocks;
  return true;
}

/** The note for a cut-short answer, on its own paragraph and outside any code block left open. */
export function noteAfter(written: string, note: string): string {
  if (written === '') return note;
  const fence = openFenceAt(written);
  const closed = fence ? `${written}${fenceCloser(written, fence)}\n` : written;
  const gap = closed.endsWith('\n\n') ? '' : closed.endsWith('\n') ? '\n' : '\n\n';
  return `${closed.slice(written.length)}${gap}${note}`;
}

/**
 * The next step. Call steps take their budget slots (and use reservations) as they are returned, so the caller must
 * make the call at once; the state changes only as far as the decision goes (fallback, dropped reservations).
 */
export function planNextStep(state: ReplyState, ctx: PlanContext): ReplyStep {
  if (state.orphan) {
    const { ts, stop } = state.orphan;
    state.orphan = null;
    stop.use();
    return { kind: 'abandon', ts };
  }
  if (state.failed) return state.ending ? DONE : IDLE;
  const message = state.message;
  if (!message) {
    if (state.pending === '') return state.ending ? DONE : IDLE;
    return planOpen(state, ctx);
  }
  const limit = limitFor(message.via, ctx.options);
  if (message.body.length + state.pending.length > limit) return planClose(state, ctx, message, limit, true);
  if (state.ending) return planClose(state, ctx, message, limit, false);
  if (state.pending === '') return IDLE;
  return planWrite(state, ctx, message, limit);
}

// The message's last write: everything left (finishing), or up to a safe break (rolling over to a new message).
function planClose(
  state: ReplyState,
  ctx: PlanContext,
  message: OpenMessage,
  limit: number,
  rollover: boolean,
): ReplyStep {
  let answer = state.pending;
  let close = '';
  let next = '';
  if (rollover) {
    const total = message.body + state.pending;
    const cut = findSafeBreak(total, limit, message.body.length);
    answer = total.slice(message.body.length, cut.index);
    if (cut.fence) {
      close = fenceCloser(total.slice(0, cut.index), cut.fence);
      next = fenceOpener(cut.fence);
    }
  }
  const blocks = rollover ? undefined : state.blocks;
  if (message.via === 'stream') {
    message.stop.use();
    return { kind: 'stop', ts: message.ts, text: answer + close, answer, next, blocks };
  }
  if (answer === '' && close === '' && !blocks) {
    message.finalUpdate.cancel();
    state.message = null;
    state.reopen = next;
    return planNextStep(state, ctx);
  }
  message.finalUpdate.use();
  return { kind: 'update', ts: message.ts, text: message.body + answer + close, answer, next, blocks, last: true };
}

// A write in the middle of a message: all that is pending, at most every minAppendIntervalMs, budget permitting.
function planWrite(state: ReplyState, ctx: PlanContext, message: OpenMessage, limit: number): ReplyStep {
  const { options, budget, team } = ctx;
  const wait = state.lastCallAt + options.minAppendIntervalMs - ctx.now;
  if (wait > 0) return { kind: 'wait', ms: wait };
  let text = state.pending;
  if (message.body.length + text.length > limit - Math.floor(limit / 8)) {
    // Near the end of the message, send whole lines only, so the break into the next one lands on a line end.
    const room = limit - CLOSE_ROOM - message.body.length;
    text = room > 0 ? text.slice(0, text.lastIndexOf('\n', room - 1) + 1) : '';
  }
  if (text === '') return { kind: 'wait', ms: options.minAppendIntervalMs };
  if (message.via === 'stream') {
    if (!budget.tryTake(team, 'chat.appendStream')) return waitForSlot(ctx, 'chat.appendStream');
    return { kind: 'append', ts: message.ts, text };
  }
  // Under pressure the text waits for the message's final update (already reserved).
  if (message.quiet) return IDLE;
  // Reserved final updates count against this; updates in the middle also leave room for new messages' reservations.
  if (budget.available(team, 'chat.update') <= UPDATE_HEADROOM || !budget.tryTake(team, 'chat.update')) {
    return waitForBudget(ctx, 'chat.update');
  }
  const body = message.body + text;
  return { kind: 'update', ts: message.ts, text: body, answer: text, next: '', blocks: undefined, last: false };
}

function waitFor(ms: number): ReplyStep {
  return { kind: 'wait', ms: Math.min(Math.max(ms, 20), MAX_WAIT_MS) };
}

function waitForBudget(ctx: PlanContext, method: WriteMethod): ReplyStep {
  const free = ctx.budget.nextFreeIn(ctx.team, method);
  return waitFor(Math.max(free, ctx.options.minAppendIntervalMs));
}

function limitFor(via: OpenMessage['via'], options: Required<ReplyStreamOptions>): number {
  return via === 'stream' ? options.maxStreamChars : options.maxFallbackChars;
}
