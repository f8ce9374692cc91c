// One reply's lifecycle: plan a step, make its call (reply-step-call.ts) or wait, and settle the result at the end.
import { giveUp } from './reply-outcome';
import { addText, endReply, newReplyState, planNextStep } from './reply-plan';
import type { PlanContext, ReplyStep, StreamerShared } from './reply-state';
import { type CallingReply, callStep } from './reply-step-call';
import { ReplyError, type ReplyResult, type ReplyStream, type ReplyTarget } from './reply-types';
import { slackErrorCode } from './slack-errors';
import type { WriteMethod } from './write-limits';

/** One reply: a step at a time, plan the next Slack call (or a wait), make it, and plan again when it settles. */
export class Reply implements ReplyStream, CallingReply {
  readonly state = newReplyState();
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
    readonly shared: StreamerShared,
    readonly target: ReplyTarget,
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
      void callStep(this, step).finally(() => {
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

  /** Runs a state change that may give up on the reply, and logs it when it does. */
  failing(change: () => void): void {
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

  /** The reply's fields for log lines. */
  where(): Record<string, unknown> {
    const { ref, team, channel, threadTs } = this.target;
    return { ...(ref !== undefined && { ref }), team, channel, threadTs };
  }
}
