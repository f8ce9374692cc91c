/** Questions not answered: the refusal or notice posted in the thread, the question recorded, the claim let go. */
import type { Context } from '../conversation/context';
import { type IncomingMessage, messageKey, replyPlace } from '../conversation/incoming';
import { questionRecord } from '../desk/desk-questions';
import type { QuestionOutcome } from '../ops/metrics';
import type { Claims } from './claims';
import type { HandlerDeps } from './handler-deps';
import type { Jobs } from './jobs';
import type { QuestionTrack } from './outcomes';

/** The handler's deps and the parts it builds once that declining a question uses. */
export interface DeclineDeps extends Pick<HandlerDeps, 'side' | 'desk'> {
  claims: Claims;
  jobs: Jobs;
  contextOf(message: IncomingMessage): Context | undefined;
}

/** Posts `text` (if any) in the message's thread, then lets the claim go. */
export async function say(
  deps: DeclineDeps,
  message: IncomingMessage,
  text: string | undefined,
  why: string,
  track: QuestionTrack,
  outcome: QuestionOutcome,
): Promise<void> {
  const { claims, desk } = deps;
  track.log.info('question declined', { channel: message.channel, ts: message.ts, reason: why });
  track.end(outcome);
  if (text && !(await deps.side.post({ ...replyPlace(message), ref: track.ref }, text))) {
    track.log.warn('could not decline the question', { channel: message.channel, ts: message.ts });
  }
  await claims.complete(messageKey(message));
  const context = deps.contextOf(message);
  if (desk && text && context) {
    await desk.question(questionRecord(message, context, { outcome: 'refused', startedAt: Date.now() }));
  }
}

/** Declines a claimed message as a job of its own, holding its claim until the notice is out. */
export function decline(
  deps: DeclineDeps,
  message: IncomingMessage,
  text: string,
  why: string,
  track: QuestionTrack,
  outcome: QuestionOutcome = 'refused',
): void {
  deps.claims.hold(messageKey(message));
  deps.jobs.run(() => say(deps, message, text, why, track, outcome));
}
