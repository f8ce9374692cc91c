// A reply's Slack calls as it makes them: retried, their outcome fed back, failures logged, new messages announced.
import { FAILED_CALL_LOG, performWithRetries } from './reply-calls';
import { applyOutcome, beginCall } from './reply-outcome';
import type { CallStep, ReplyState, StreamerShared } from './reply-state';
import type { ReplyTarget } from './reply-types';
import { refusesStreaming, slackErrorCode } from './slack-errors';

/** What a reply's calls use of it. */
export interface CallingReply {
  readonly shared: StreamerShared;
  readonly target: ReplyTarget;
  readonly state: ReplyState;
  /** Runs a state change that may give up on the reply, and logs it when it does. */
  failing(change: () => void): void;
  /** The reply's fields for log lines. */
  where(): Record<string, unknown>;
}

/** Makes the step's call and feeds its outcome into the reply's state; a failure is logged, never thrown. */
export async function callStep(reply: CallingReply, step: CallStep): Promise<void> {
  if (step.kind === 'post' && step.streamBudgetUsedUp) {
    reply.shared.logger.debug('stream budget used up, posting instead', reply.where());
  }
  let ts: string;
  try {
    const { client, budget, logger, now } = reply.shared;
    ts = await performWithRetries({ client, budget, logger }, reply.target, step, () => beginCall(reply.state, now()));
  } catch (err) {
    logFailure(reply, step, err);
    reply.failing(() => applyOutcome(reply.state, step, { ok: false, error: slackErrorCode(err) }));
    return;
  }
  applyOutcome(reply.state, step, { ok: true, ts });
  if (step.kind === 'start' || step.kind === 'post') announce(reply, ts);
}

function logFailure(reply: CallingReply, step: CallStep, err: unknown): void {
  const meta = { ...reply.where(), error: slackErrorCode(err) };
  if (step.kind !== 'start') {
    const { level, message } = FAILED_CALL_LOG[step.kind];
    reply.shared.logger[level](message, meta);
  } else if (step.chunks && refusesStreaming(err)) {
    // Taken as said about the chunks, not about streaming: the start is tried again without them.
    reply.shared.chunksRefusedUntil.set(reply.target.team, reply.shared.now() + reply.shared.options.refusalMemoryMs);
    reply.shared.logger.info('workspace refused task updates in the stream; the status line shows the search', meta);
  } else if (refusesStreaming(err)) {
    reply.shared.refusedUntil.set(reply.target.team, reply.shared.now() + reply.shared.options.refusalMemoryMs);
    reply.shared.logger.warn('workspace refused streaming; posting messages instead for a while', meta);
  } else {
    reply.shared.logger.warn('could not start a stream; posting instead', meta);
  }
}

/** Tells the caller a message of its reply exists; a throwing callback must not break the reply. */
function announce(reply: CallingReply, ts: string): void {
  try {
    reply.target.onMessage?.(ts);
  } catch (err) {
    reply.shared.logger.warn('onMessage callback failed', { ...reply.where(), error: slackErrorCode(err) });
  }
}
