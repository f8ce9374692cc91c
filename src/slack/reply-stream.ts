// Streams answers into Slack: performs the steps the planner (reply-plan.ts) chooses and feeds their outcomes back.

import { FAILED_CALL_LOG, performWithRetries } from './reply-calls';
import { applyOutcome, beginCall, giveUp } from './reply-outcome';
import { addText, endReply, newReplyState, planNextStep } from './reply-plan';
import {
  type CallStep,
  DEFAULT_REPLY_STREAM_OPTIONS,
  type PlanContext,
  ReplyError,
  type ReplyResult,
  type ReplyStep,
  type ReplyStream,
  type ReplyStreamer,
  type ReplyStreamerDeps,
  type ReplyStreamOptions,
  type ReplyTarget,
} from './reply-types';
import { refusesStreaming, slackErrorCode } from './slack-errors';
import type { WriteMethod } from './write-budget';

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
  const chunksRefusedUntil = new Map<string, number>();
  const now = deps.now ?? (() => Date.now());
  const shared: Shared = { ...deps, now, options, refusedUntil, chunksRefusedUntil };
  return {
    open: (target) => {
      // Leases this workspace's slots (when instances share them) while the model thinks, not at the first write.
      deps.budget.prepare(target.team);
      return new Reply(shared, target);
    },
  };
}

interface Shared extends Required<Omit<ReplyStreamerDeps, 'options'>> {
  options: Required<ReplyStreamOptions>;
  refusedUntil: Map<string, number>;
  /** Workspaces that refused a stream's chunks (task updates), until when. */
  chunksRefusedUntil: Map<string, number>;
}

/** One reply: a step at a time, plan the next Slack call (or a wait), make it, and plan again when it settles. */
class Reply implements ReplyStream {
  private readonly state = newReplyState();
  private busy = false;
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The method whose slot this reply waits for, woken by the budget: new text must not start a second wait. */
  private waking: WriteMethod | undefined;
  private readonly wake = () => {
    this.waking = undefined;
    this.pump();
  };
  private readonly result: Promise<ReplyResult>;
  private resolveResult!: (result: ReplyResult) => void;
  private rejectResult!: (err: Error) => void;

  constructor(
    private readonly shared: Shared,
    private readonly target: ReplyTarget,
  ) {
    this.state.chunks = target.chunks;
    this.result = new Promise<ReplyResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
  }

  write(delta: string): void {
    const taken = addText(this.state, delta);
    if (taken === 'late') this.shared.logger.warn('reply text written after finish was dropped', this.where());
    if (taken === 'added' && !this.busy && !this.timer && !this.waking) this.pump();
  }

  finish(options: { blocks?: unknown[] } = {}): Promise<ReplyResult> {
    if (endReply(this.state, options.blocks, undefined)) this.pump();
    return this.result;
  }

  abort(note: string): Promise<ReplyResult> {
    if (endReply(this.state, undefined, note)) this.pump();
    return this.result;
  }

  private pump(): void {
    if (this.busy || this.settled) return;
    if (this.waking && !this.state.ending) return;
    this.clearTimer();
    let step: ReplyStep;
    try {
      step = planNextStep(this.state, this.context());
    } catch (err) {
      this.shared.logger.error('reply streaming failed', { ...this.where(), error: slackErrorCode(err) });
      this.failing(() => giveUp(this.state));
      step = { kind: this.state.ending ? 'done' : 'idle' };
    }
    if (step.kind === 'wait' && step.method) {
      // Woken by the budget's one timer for this workspace and method, with the others waiting for it, in order.
      this.waking = step.method;
      this.shared.budget.whenFree(this.target.team, step.method, this.wake, step.key);
    } else if (step.kind === 'wait') {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, step.ms);
      this.timer.unref();
    } else if (step.kind === 'done') {
      this.settle();
    } else if (step.kind !== 'idle') {
      this.busy = true;
      void this.run(step).finally(() => {
        this.busy = false;
        this.pump();
      });
    }
  }

  private context(): PlanContext {
    const { budget, options } = this.shared;
    const { team, channel } = this.target;
    const streamingRefused = this.refused(this.shared.refusedUntil);
    const chunksRefused = this.refused(this.shared.chunksRefusedUntil);
    return { budget, options, team, channel, now: this.shared.now(), streamingRefused, chunksRefused };
  }

  /** Whether this workspace refused lately what `memory` remembers refusals of. */
  private refused(memory: Map<string, number>): boolean {
    const until = memory.get(this.target.team);
    if (until === undefined) return false;
    if (until > this.shared.now()) return true;
    memory.delete(this.target.team);
    return false;
  }

  private async run(step: CallStep): Promise<void> {
    if (step.kind === 'post' && step.streamBudgetUsedUp) {
      this.shared.logger.debug('stream budget used up, posting instead', this.where());
    }
    let ts: string;
    try {
      const { client, budget, logger, now } = this.shared;
      ts = await performWithRetries({ client, budget, logger }, this.target, step, () => beginCall(this.state, now()));
    } catch (err) {
      this.logFailure(step, err);
      this.failing(() => applyOutcome(this.state, step, { ok: false, error: slackErrorCode(err) }));
      return;
    }
    applyOutcome(this.state, step, { ok: true, ts });
    if (step.kind === 'start' || step.kind === 'post') this.announce(ts);
  }

  private logFailure(step: CallStep, err: unknown): void {
    const meta = { ...this.where(), error: slackErrorCode(err) };
    if (step.kind !== 'start') {
      const { level, message } = FAILED_CALL_LOG[step.kind];
      this.shared.logger[level](message, meta);
    } else if (step.chunks && refusesStreaming(err)) {
      // Taken as said about the chunks, not about streaming: the start is tried again without them.
      this.shared.chunksRefusedUntil.set(this.target.team, this.shared.now() + this.shared.options.refusalMemoryMs);
      this.shared.logger.info('workspace refused task updates in the stream; the status line shows the search', meta);
    } else if (refusesStreaming(err)) {
      this.shared.refusedUntil.set(this.target.team, this.shared.now() + this.shared.options.refusalMemoryMs);
      this.shared.logger.warn('workspace refused streaming; posting messages instead for a while', meta);
    } else {
      this.shared.logger.warn('could not start a stream; posting instead', meta);
    }
  }

  /** Tells the caller a message of its reply exists; a throwing callback must not break the reply. */
  private announce(ts: string): void {
    try {
      this.target.onMessage?.(ts);
    } catch (err) {
      this.shared.logger.warn('onMessage callback failed', { ...this.where(), error: slackErrorCode(err) });
    }
  }

  /** Runs a state change that may give up on the reply, and logs it when it does. */
  private failing(change: () => void): void {
    const before = this.state.failed;
    change();
    if (before || !this.state.failed) return;
    this.shared.logger.error('gave up delivering a reply', {
      ...this.where(),
      deliveredChars: this.state.delivered.length,
      lostChars: this.state.pending.length,
    });
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimer();
    const { delivered, messageTs, writes, usedFallback } = this.state;
    if (delivered === '') {
      this.rejectResult(new ReplyError('nothing of the reply could be delivered'));
      return;
    }
    const result: ReplyResult = {
      messageTs: [...messageTs],
      writes,
      mode: usedFallback ? 'fallback' : 'stream',
      delivered,
    };
    this.shared.logger.debug('reply delivered', {
      ...this.where(),
      mode: result.mode,
      writes: result.writes,
      messages: result.messageTs.length,
      chars: delivered.length,
    });
    this.resolveResult(result);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waking) this.shared.budget.cancelWait(this.target.team, this.waking, this.wake);
    this.waking = undefined;
  }

  private where(): Record<string, unknown> {
    const { ref, team, channel, threadTs } = this.target;
    return { ...(ref !== undefined && { ref }), team, channel, threadTs };
  }
}
