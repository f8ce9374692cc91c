/** A question that asks for a person in words: no model, no answer; the handoff runs in the thread's turn. */
import type { Context } from '../conversation/context';
import { type IncomingMessage, messageKey, threadKey } from '../conversation/incoming';
import type { Desk } from '../desk/desk';
import { deskPlace, questionRecord } from '../desk/desk-questions';
import type { Claims } from './claims';
import { describe } from './describe-error';
import type { Jobs } from './jobs';
import type { QuestionTrack } from './outcomes';
import type { ThreadLanes } from './thread-lanes';

/** Hands the thread to a person (once per thread, across instances), then records the question and lets its claim go. */
export function startHandOff(
  deps: { claims: Claims; jobs: Jobs; lanes: ThreadLanes; desk: Desk },
  message: IncomingMessage,
  context: Context,
  track: QuestionTrack,
): void {
  const { claims, desk } = deps;
  claims.hold(messageKey(message));
  deps.jobs.run(async () => {
    const startedAt = Date.now();
    try {
      await deps.lanes.run(threadKey(message), message.ts, async () => {
        const place = deskPlace(message, context);
        await desk.handOff({ ...place, user: message.user, latest: message.text, via: 'phrase' });
      });
      await desk.question(questionRecord(message, context, { outcome: 'handed_off', startedAt }));
    } catch (err) {
      track.log.error('handoff failed', { channel: message.channel, ts: message.ts, error: describe(err) });
    } finally {
      track.end('handed_off');
      await claims.complete(messageKey(message));
    }
  });
}
