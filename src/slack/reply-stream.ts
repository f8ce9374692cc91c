import { fenceCloser, fenceOpener, findSafeBreak, openFenceAt } from '../conversation/split';
import {
  type Content,
  DEFAULT_REPLY_STREAM_OPTIONS,
  ReplyError,
  type ReplyResult,
  type ReplyStream,
  type ReplyStreamer,
  type ReplyStreamerDeps,
  type ReplyStreamOptions,
  type ReplyTarget,
} from './reply-types';
import { refusesStreaming, STREAM_GONE, slackErrorCode } from './slack-errors';
import type { Reservation, WriteMethod } from './write-budget';

type Message =
  | { via: 'stream'; ts: string; body: string; stop: Reservation }
  | { via: 'post'; ts: string; body: string; finalUpdate: Reservation };

type Step =
  | { kind: 'call'; run: () => Promise<void> }
  | { kind: 'wait'; ms: number }
  | { kind: 'idle' }
  | { kind: 'done' };

const IDLE: Step = { kind: 'idle' };
const DONE: Step = { kind: 'done' };
/** Room kept at the end of a message for the fence line that closes a code block cut there. */
const CLOSE_ROOM = 8;
/** Longest wait before looking at the budget again (other replies may cancel reservations meanwhile). */
const MAX_WAIT_MS = 5_000;
/** chat.update slots that updates in the middle of a message leave free, so new posted messages can reserve theirs. */
const UPDATE_HEADROOM = 9;
/** After this many failed writes a reply gives up rather than keep opening messages. */
const MAX_ERRORS = 4;
function content(markdown: string, blocks: unknown[] | undefined): Content {
  return blocks
    ? { text: markdown, blocks: [{ type: 'markdown', text: markdown }, ...blocks] }
    : { markdown_text: markdown };
}

function reopenAfter(body: string): string {
  const fence = openFenceAt(body);
  return fence ? fenceOpener(fence) : '';
}

/** The note for a cut-short answer, on its own paragraph and outside any code block left open. */
function noteAfter(written: string, note: string): string {
  if (written === '') return note;
  const fence = openFenceAt(written);
  const closed = fence ? `${written}${fenceCloser(written, fence)}\n` : written;
  const gap = closed.endsWith('\n\n') ? '' : closed.endsWith('\n') ? '\n' : '\n\n';
  return `${closed.slice(written.length)}${gap}${note}`;
}

/**
 * Streams answers into Slack threads: native streams (chat.startStream/appendStream/stopStream) where the workspace
 * and the shared write budget allow, otherwise a posted message kept up to date with chat.update; long answers
 * continue in further messages, cut at paragraph breaks and never inside a code block.
 */
export function createReplyStreamer(deps: ReplyStreamerDeps): ReplyStreamer {
  const options = { ...DEFAULT_REPLY_STREAM_OPTIONS };
  for (const [key, value] of Object.entries(deps.options ?? {})) {
    if (value !== undefined) options[key as keyof ReplyStreamOptions] = value;
  }
  const refusedUntil = new Map<string, number>();
  const shared: Shared = { ...deps, now: deps.now ?? (() => Date.now()), options, refusedUntil };
  return { open: (target) => new Reply(shared, target) };
}

interface Shared extends Required<Omit<ReplyStreamerDeps, 'options'>> {
  options: Required<ReplyStreamOptions>;
  refusedUntil: Map<string, number>;
}

class Reply implements ReplyStream {
  /** Model output Slack has not accepted yet. */
  private pending = '';
  /** Fence line to start the next message with, when the last one ended inside a code block. */
  private reopen = '';
  private message: Message | null = null;
  private fallback = false;
  private usedFallback = false;
  private ending = false;
  private blocks: unknown[] | undefined;
  private failed = false;
  private errors = 0;
  private busy = false;
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private lastCallAt = Number.NEGATIVE_INFINITY;
  private writes = 0;
  private delivered = '';
  private readonly messageTs: string[] = [];
  private readonly result: Promise<ReplyResult>;
  private resolveResult!: (result: ReplyResult) => void;
  private rejectResult!: (err: Error) => void;

  constructor(
    private readonly shared: Shared,
    private readonly target: ReplyTarget,
  ) {
    this.result = new Promise<ReplyResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
  }

  write(delta: string): void {
    if (typeof delta !== 'string' || delta === '' || this.failed) return;
    if (this.ending) {
      this.shared.logger.warn('reply text written after finish was dropped', this.where());
      return;
    }
    this.pending += delta;
    if (!this.busy && !this.timer) this.pump();
  }

  finish(options: { blocks?: unknown[] } = {}): Promise<ReplyResult> {
    return this.end(options.blocks, undefined);
  }

  abort(note: string): Promise<ReplyResult> {
    return this.end(undefined, note);
  }

  private end(blocks: unknown[] | undefined, note: string | undefined): Promise<ReplyResult> {
    if (!this.ending) {
      if (note && !this.failed) this.pending += noteAfter(this.delivered + this.pending, note);
      this.ending = true;
      this.blocks = blocks;
      this.pump();
    }
    return this.result;
  }

  // One step at a time: plan the next Slack call (or a wait), make it, and plan again when it settles.
  private pump(): void {
    if (this.busy || this.settled) return;
    this.clearTimer();
    let step: Step;
    try {
      step = this.plan();
    } catch (err) {
      this.shared.logger.error('reply streaming failed', { ...this.where(), error: slackErrorCode(err) });
      this.giveUp();
      step = this.ending ? DONE : IDLE;
    }
    if (step.kind === 'call') {
      this.busy = true;
      void step.run().finally(() => {
        this.busy = false;
        this.pump();
      });
    } else if (step.kind === 'wait') {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, step.ms);
      this.timer.unref();
    } else if (step.kind === 'done') {
      this.settle();
    }
  }

  private plan(): Step {
    if (this.failed) return this.ending ? DONE : IDLE;
    const message = this.message;
    if (!message) {
      if (this.pending === '') return this.ending ? DONE : IDLE;
      return this.planOpen();
    }
    const limit = this.limitFor(message.via);
    if (message.body.length + this.pending.length > limit) return this.planClose(message, limit, true);
    if (this.ending) return this.planClose(message, limit, false);
    if (this.pending === '') return IDLE;
    return this.planWrite(message, limit);
  }

  private planOpen(): Step {
    const { budget } = this.shared;
    const { team, channel } = this.target;
    if (!this.fallback && this.streamingRefused()) this.fallback = true;
    if (!this.fallback) {
      const stop = budget.reserve(team, 'chat.stopStream');
      if (stop && budget.tryTake(team, 'chat.startStream')) {
        const { piece, answer } = this.firstPiece(this.shared.options.maxStreamChars);
        return this.call(() => this.start(piece, answer, stop));
      }
      stop?.cancel();
      this.fallback = true;
      this.shared.logger.debug('stream budget used up, posting instead', this.where());
    }
    const { piece, answer, all } = this.firstPiece(this.shared.options.maxFallbackChars);
    const last = this.ending && all;
    // Like a stream's stop, the update that completes a posted message is reserved before it is posted.
    const finalUpdate = last ? null : budget.reserve(team, 'chat.update');
    if (!last && !finalUpdate) return this.waitFor(budget.nextFreeIn(team, 'chat.update'));
    if (!budget.tryTake(team, 'chat.postMessage', channel)) {
      finalUpdate?.cancel();
      return this.waitFor(budget.nextFreeIn(team, 'chat.postMessage', channel));
    }
    return this.call(() => this.post(piece, answer, finalUpdate));
  }

  private streamingRefused(): boolean {
    const until = this.shared.refusedUntil.get(this.target.team);
    if (until === undefined) return false;
    if (until > this.shared.now()) return true;
    this.shared.refusedUntil.delete(this.target.team);
    return false;
  }

  private firstPiece(limit: number): { piece: string; answer: string; all: boolean } {
    const text = this.reopen + this.pending;
    const end = text.length <= limit ? text.length : findSafeBreak(text, limit, this.reopen.length + 1).index;
    return { piece: text.slice(0, end), answer: text.slice(this.reopen.length, end), all: end === text.length };
  }

  // The message's last write: everything left (finishing), or up to a safe break (rolling over to a new message).
  private planClose(message: Message, limit: number, rollover: boolean): Step {
    let answer = this.pending;
    let close = '';
    let next = '';
    if (rollover) {
      const total = message.body + this.pending;
      const cut = findSafeBreak(total, limit, message.body.length);
      answer = total.slice(message.body.length, cut.index);
      if (cut.fence) {
        close = fenceCloser(total.slice(0, cut.index), cut.fence);
        next = fenceOpener(cut.fence);
      }
    }
    const blocks = rollover ? undefined : this.blocks;
    if (message.via === 'stream') return this.call(() => this.stop(message, answer, close, next, blocks));
    if (answer === '' && close === '' && !blocks) {
      message.finalUpdate.cancel();
      this.message = null;
      this.reopen = next;
      return this.plan();
    }
    message.finalUpdate.use();
    return this.call(() => this.update(message, answer, close, next, blocks, true));
  }

  // A write in the middle of a message: all that is pending, at most every minAppendIntervalMs, budget permitting.
  private planWrite(message: Message, limit: number): Step {
    const { options, budget } = this.shared;
    const wait = this.lastCallAt + options.minAppendIntervalMs - this.shared.now();
    if (wait > 0) return { kind: 'wait', ms: wait };
    let text = this.pending;
    if (message.body.length + text.length > limit - Math.floor(limit / 8)) {
      // Near the end of the message, send whole lines only, so the break into the next one lands on a line end.
      const room = limit - CLOSE_ROOM - message.body.length;
      text = room > 0 ? text.slice(0, text.lastIndexOf('\n', room - 1) + 1) : '';
    }
    if (text === '') return { kind: 'wait', ms: options.minAppendIntervalMs };
    const { team } = this.target;
    if (message.via === 'stream') {
      if (!budget.tryTake(team, 'chat.appendStream')) return this.waitForBudget('chat.appendStream');
      return this.call(() => this.append(message, text));
    }
    // Reserved final updates count against this; updates in the middle also leave room for new messages' reservations.
    if (budget.available(team, 'chat.update') <= UPDATE_HEADROOM || !budget.tryTake(team, 'chat.update')) {
      return this.waitForBudget('chat.update');
    }
    return this.call(() => this.update(message, text, '', '', undefined, false));
  }

  private async start(piece: string, answer: string, stop: Reservation): Promise<void> {
    const { channel, threadTs, isDm, userId, team } = this.target;
    const recipients = isDm ? {} : { recipient_user_id: userId, recipient_team_id: team };
    try {
      const response = await this.shared.client.chat.startStream({
        channel,
        thread_ts: threadTs,
        markdown_text: piece,
        ...recipients,
      });
      if (!response.ts) throw new Error('chat.startStream returned no ts');
      this.message = { via: 'stream', ts: response.ts, body: piece, stop };
      this.opened(response.ts, answer);
    } catch (err) {
      stop.cancel();
      this.fallback = true;
      if (refusesStreaming(err)) {
        this.shared.refusedUntil.set(team, this.shared.now() + this.shared.options.refusalMemoryMs);
        this.shared.logger.warn('workspace refused streaming; posting messages instead for a while', {
          ...this.where(),
          error: slackErrorCode(err),
        });
      } else {
        this.shared.logger.warn('could not start a stream; posting instead', {
          ...this.where(),
          error: slackErrorCode(err),
        });
      }
    }
  }

  private async append(message: Message & { via: 'stream' }, text: string): Promise<void> {
    try {
      await this.shared.client.chat.appendStream({ channel: this.target.channel, ts: message.ts, markdown_text: text });
      message.body += text;
      this.accept(text);
    } catch (err) {
      await this.abandonStream(message, err);
    }
  }

  // The stream took an error: end it where it is, and carry on with the text it did not take in a new message.
  private async abandonStream(message: Message & { via: 'stream' }, err: unknown): Promise<void> {
    const code = slackErrorCode(err);
    this.shared.logger.warn('stream write failed; continuing in a new message', { ...this.where(), error: code });
    this.leave(message);
    this.fallback = true;
    this.noteError();
    if (STREAM_GONE.has(code)) {
      message.stop.cancel();
      return;
    }
    message.stop.use();
    this.writes++;
    this.lastCallAt = this.shared.now();
    await this.shared.client.chat
      .stopStream({ channel: this.target.channel, ts: message.ts })
      .catch((stopErr: unknown) =>
        this.shared.logger.debug('could not stop the failed stream', {
          ...this.where(),
          error: slackErrorCode(stopErr),
        }),
      );
  }

  private async stop(
    message: Message & { via: 'stream' },
    answer: string,
    close: string,
    next: string,
    blocks: unknown[] | undefined,
  ): Promise<void> {
    message.stop.use();
    const markdown = answer + close;
    try {
      await this.shared.client.chat.stopStream({
        channel: this.target.channel,
        ts: message.ts,
        ...(markdown ? { markdown_text: markdown } : {}),
        ...(blocks ? { blocks } : {}),
      });
      this.accept(answer);
      this.message = null;
      this.reopen = next;
    } catch (err) {
      this.shared.logger.warn('could not stop the stream; continuing in a new message', {
        ...this.where(),
        error: slackErrorCode(err),
      });
      this.leave(message);
      this.fallback = true;
      if (blocks) this.blocks = undefined;
      this.noteError();
    }
  }

  /** Posts a message; without `finalUpdate` (the whole rest of a finished answer) it is complete as posted. */
  private async post(piece: string, answer: string, finalUpdate: Reservation | null): Promise<void> {
    this.usedFallback = true;
    const blocks = finalUpdate ? undefined : this.blocks;
    try {
      const response = await this.shared.client.chat.postMessage({
        channel: this.target.channel,
        thread_ts: this.target.threadTs,
        ...content(piece, blocks),
      });
      if (!response.ts) throw new Error('chat.postMessage returned no ts');
      this.message = finalUpdate ? { via: 'post', ts: response.ts, body: piece, finalUpdate } : null;
      this.opened(response.ts, answer);
    } catch (err) {
      finalUpdate?.cancel();
      this.shared.logger.error('could not post the reply', { ...this.where(), error: slackErrorCode(err) });
      // Blocks are decoration: try once more without them; otherwise there is no other way to deliver the text.
      if (blocks) this.blocks = undefined;
      else this.giveUp();
      this.noteError();
    }
  }

  private async update(
    message: Message & { via: 'post' },
    answer: string,
    close: string,
    next: string,
    blocks: unknown[] | undefined,
    last: boolean,
  ): Promise<void> {
    const body = message.body + answer + close;
    try {
      await this.shared.client.chat.update({ channel: this.target.channel, ts: message.ts, ...content(body, blocks) });
      this.accept(answer);
      if (last) {
        this.message = null;
        this.reopen = next;
      } else message.body = body;
    } catch (err) {
      this.shared.logger.warn('could not update the reply; continuing in a new message', {
        ...this.where(),
        error: slackErrorCode(err),
      });
      if (!last) message.finalUpdate.cancel();
      this.leave(message);
      if (blocks) this.blocks = undefined;
      this.noteError();
    }
  }

  private call(run: () => Promise<void>): Step {
    return {
      kind: 'call',
      run: () => {
        this.writes++;
        this.lastCallAt = this.shared.now();
        return run();
      },
    };
  }

  private waitFor(ms: number): Step {
    return { kind: 'wait', ms: Math.min(Math.max(ms, 20), MAX_WAIT_MS) };
  }

  private waitForBudget(method: WriteMethod): Step {
    const free = this.shared.budget.nextFreeIn(this.target.team, method);
    return this.waitFor(Math.max(free, this.shared.options.minAppendIntervalMs));
  }

  private opened(ts: string, answer: string): void {
    this.messageTs.push(ts);
    this.target.onMessage?.(ts);
    this.reopen = '';
    this.accept(answer);
  }

  private accept(answer: string): void {
    this.delivered += answer;
    this.pending = this.pending.slice(answer.length);
  }

  // Stops using a message at what it already shows; the next one reopens a code block left open in it.
  private leave(message: Message): void {
    this.message = null;
    this.reopen = reopenAfter(message.body);
  }

  private noteError(): void {
    this.errors++;
    if (this.errors >= MAX_ERRORS) this.giveUp();
  }

  private giveUp(): void {
    if (this.failed) return;
    this.failed = true;
    const message = this.message;
    if (message?.via === 'stream') message.stop.cancel();
    if (message?.via === 'post') message.finalUpdate.cancel();
    this.message = null;
    this.shared.logger.error('gave up delivering a reply', {
      ...this.where(),
      deliveredChars: this.delivered.length,
      lostChars: this.pending.length,
    });
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimer();
    if (this.delivered === '') {
      this.rejectResult(new ReplyError('nothing of the reply could be delivered'));
      return;
    }
    const result: ReplyResult = {
      messageTs: [...this.messageTs],
      writes: this.writes,
      mode: this.usedFallback ? 'fallback' : 'stream',
      delivered: this.delivered,
    };
    this.shared.logger.debug('reply delivered', {
      ...this.where(),
      mode: result.mode,
      writes: result.writes,
      messages: result.messageTs.length,
      chars: this.delivered.length,
    });
    this.resolveResult(result);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private limitFor(via: Message['via']): number {
    return via === 'stream' ? this.shared.options.maxStreamChars : this.shared.options.maxFallbackChars;
  }

  private where(): Record<string, unknown> {
    return { team: this.target.team, channel: this.target.channel, threadTs: this.target.threadTs };
  }
}
