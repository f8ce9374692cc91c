// How a Slack call's outcome changes a reply's state: what was accepted, what continues where. No Slack, no clock.
import { fenceOpener, openFenceAt } from '../conversation/split';
import type { CallOutcome, CallStep, OpenMessage, ReplyState } from './reply-state';
import { STREAM_GONE } from './slack-errors';

/** After this many failed writes a reply gives up rather than keep opening messages. */
export const MAX_ERRORS = 4;

/** Counts a call as made now (for the result, and for spacing the next write). */
export function beginCall(state: ReplyState, now: number): void {
  state.writes++;
  state.lastCallAt = now;
}

/** Applies the outcome of the call `step` asked for; the state's message is still the one the step wrote to. */
export function applyOutcome(state: ReplyState, step: CallStep, outcome: CallOutcome): void {
  if (outcome.ok) succeeded(state, step, outcome.ts);
  else failed(state, step, outcome.error);
}

function succeeded(state: ReplyState, step: CallStep, ts: string): void {
  switch (step.kind) {
    case 'start':
      state.chunks = undefined;
      state.message = { via: 'stream', ts, body: step.text, stop: step.stop };
      opened(state, ts, step.answer);
      return;
    case 'post': {
      const { finalUpdate, quiet } = step;
      state.message = finalUpdate ? { via: 'post', ts, body: step.text, finalUpdate, quiet } : null;
      opened(state, ts, step.answer);
      state.reopen = step.next;
      return;
    }
    case 'append':
      if (state.message) state.message.body += step.text;
      accept(state, step.text);
      return;
    case 'stop':
      finished(state, step.answer, step.next);
      return;
    case 'update':
      if (step.last) finished(state, step.answer, step.next);
      else {
        accept(state, step.answer);
        if (state.message) state.message.body = step.text;
      }
      return;
    case 'abandon':
      return;
  }
}

function failed(state: ReplyState, step: CallStep, error: string): void {
  const message = state.message;
  switch (step.kind) {
    case 'start':
      step.stop.cancel();
      // Chunks are decoration: start the stream once more without them.
      if (step.chunks) state.chunks = undefined;
      else state.fallback = true;
      return;
    case 'post':
      step.finalUpdate?.cancel();
      // Blocks are decoration: try once more without them; otherwise there is no other way to deliver the text.
      if (step.blocks) state.blocks = undefined;
      else giveUp(state);
      noteError(state);
      return;
    case 'append':
      if (message?.via !== 'stream') return;
      // The stream took an error: end it where it is, and carry on with the text it did not take in a new message.
      leave(state, message);
      state.fallback = true;
      noteError(state);
      if (STREAM_GONE.has(error)) message.stop.cancel();
      else state.orphan = { ts: message.ts, stop: message.stop };
      return;
    case 'stop':
      if (message) leave(state, message);
      state.fallback = true;
      if (step.blocks) state.blocks = undefined;
      noteError(state);
      return;
    case 'update':
      if (message?.via === 'post' && !step.last) message.finalUpdate.cancel();
      if (message) leave(state, message);
      if (step.blocks) state.blocks = undefined;
      noteError(state);
      return;
    case 'abandon':
      return;
  }
}

/** Stops trying: no more writes, reservations given back. */
export function giveUp(state: ReplyState): void {
  if (state.failed) return;
  state.failed = true;
  const message = state.message;
  if (message?.via === 'stream') message.stop.cancel();
  if (message?.via === 'post') message.finalUpdate.cancel();
  state.message = null;
}

function opened(state: ReplyState, ts: string, answer: string): void {
  state.messageTs.push(ts);
  state.reopen = '';
  accept(state, answer);
}

function finished(state: ReplyState, answer: string, next: string): void {
  accept(state, answer);
  state.message = null;
  state.reopen = next;
}

function accept(state: ReplyState, answer: string): void {
  state.delivered += answer;
  state.pending = state.pending.slice(answer.length);
}

// Stops using a message at what it already shows; the next one reopens a code block left open in it.
function leave(state: ReplyState, message: OpenMessage): void {
  state.message = null;
  const fence = openFenceAt(message.body);
  state.reopen = fence ? fenceOpener(fence) : '';
}

function noteError(state: ReplyState): void {
  state.errors++;
  if (state.errors >= MAX_ERRORS) giveUp(state);
}
