/** Streaming the model's answer into a reply, within the answer's time limit. */
import { LlmError } from '../errors';
import type { Llm, LlmRequest, LlmUsage } from '../llm/llm';
import type { ReplyStream } from '../slack/reply-types';

/** What the model produced, and how its stream ended. */
export interface ModelOutcome {
  text: string;
  /** The model stopped at its length limit. */
  truncated: boolean;
  usage?: LlmUsage;
  /** The server refused the images: the answer was made from the text alone. */
  visionRejected?: boolean;
  /** Why the stream ended early, when it did (stalled, timed out, shut down, failed mid-answer). */
  error?: unknown;
}

/**
 * Passes every delta to `reply` as it arrives. A failure before any text rejects (the caller apologises); one after
 * some text is returned as `error`, so the partial answer can be closed with a note.
 */
export async function streamAnswer(
  llm: Llm,
  request: LlmRequest,
  reply: ReplyStream,
  signal: AbortSignal,
): Promise<ModelOutcome> {
  const outcome: ModelOutcome = { text: '', truncated: false };
  try {
    for await (const event of llm.stream(request, { signal })) {
      if (event.type === 'delta') {
        outcome.text += event.text;
        reply.write(event.text);
      } else {
        outcome.truncated = event.truncated === true;
        outcome.usage = event.usage;
        if (event.visionRejected) outcome.visionRejected = true;
      }
    }
    if (signal.aborted) throw abortError(signal);
  } catch (err) {
    if (outcome.text === '') throw err;
    outcome.error = err;
  }
  if (outcome.text === '') throw new LlmError('server', 'the model returned an empty answer');
  return outcome;
}

/** Why an aborted answer stopped: the shutdown or the answer's own time limit. */
function abortError(signal: AbortSignal): LlmError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
  return new LlmError('timeout', `answer stopped: ${reason}`);
}
