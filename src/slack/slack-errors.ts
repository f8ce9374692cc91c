// How a reply reads the Web API's errors: what a failed chat.* call says about streaming and about the stream.

/** Errors that say nothing about whether the workspace allows streaming. */
const NOT_A_REFUSAL = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'thread_not_found',
  'msg_too_long',
]);
// After these the stream is already over on Slack's side: stopping it would only fail again.
export const STREAM_GONE = new Set(['message_not_in_streaming_state', 'message_not_found', 'channel_not_found']);

export function slackErrorCode(err: unknown): string {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'unknown';
}

export function refusesStreaming(err: unknown): boolean {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' && !NOT_A_REFUSAL.has(data.error);
}

/** Retry-After assumed when a 429 carries none. */
const DEFAULT_RETRY_AFTER_S = 1;

/** Seconds Slack asked to wait (a 429, from a client built with `rejectRateLimitedCalls`), or undefined. */
export function retryAfterOf(err: unknown): number | undefined {
  const error = err as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown } } | undefined;
  const limited = error?.code === 'slack_webapi_rate_limited_error' || error?.data?.error === 'ratelimited';
  if (!limited) return undefined;
  return typeof error?.retryAfter === 'number' ? error.retryAfter : DEFAULT_RETRY_AFTER_S;
}
