/** Errors reduced to what a log line may carry: model servers' own words stay out of every line above debug. */
import { LlmError } from '../errors';

/**
 * An error reduced to what a log line may carry: name, kind, status, and a redacted message. A model server's own
 * error text can quote the request (validation errors echo their input), so of those only the codes are kept.
 */
export function describe(err: unknown): Record<string, unknown> {
  if (err instanceof LlmError) {
    const base = { name: err.name, kind: err.kind, status: err.status };
    const upstream = upstreamError(err);
    return upstream
      ? { ...base, code: upstream.code ?? undefined, type: upstream.type ?? undefined }
      : { ...base, message: err.message };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(code ? { code } : {}) };
  }
  return { message: String(err) };
}

/** The model server's error behind an LlmError (an HTTP error status, or an error event in the stream), if any. */
function upstreamError(err: LlmError): { code?: unknown; type?: unknown } | undefined {
  const cause = err.cause as { error?: unknown; code?: unknown; type?: unknown } | undefined;
  const fromServer = err.status !== undefined || (typeof cause?.error === 'object' && cause.error !== null);
  return fromServer ? (cause ?? {}) : undefined;
}

/** The model server's words about a failure, for debug lines only (they may quote the question). */
export function upstreamText(err: unknown): string | undefined {
  return err instanceof LlmError && upstreamError(err) ? err.message : undefined;
}
