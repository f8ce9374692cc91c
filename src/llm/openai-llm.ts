import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Agent } from 'undici';
import { LlmError } from '../errors';
import { IdleWatchdog } from './idle-watchdog';
import type { Llm } from './llm';
import { hasImages, withoutImages } from './message-content';
import { type ModelSettings, type ModelStream, openChat, openResponses } from './openai-streams';
import { requestFetch } from './request-fetch';

/** How to reach an OpenAI-compatible model. */
export interface OpenAiLlmOptions extends ModelSettings {
  apiKey: string;
  /** 'responses' for OpenAI itself; 'chat' (Chat Completions) for compatible servers. */
  api: 'responses' | 'chat';
  /** Per attempt, until the response headers arrive. */
  timeoutMs: number;
  /** SDK retries (429, 5xx, connection) before the stream starts; never after. */
  maxRetries: number;
  /** Longest silence allowed once the stream has started. */
  idleTimeoutMs: number;
  /** false (OPENAI_VISION=false): images are left out of every request. Default true. */
  vision?: boolean;
}

/**
 * How long an idle connection to the model server is kept for the next question. undici's default (4 s, when the
 * server sends no Keep-Alive hint, as OpenAI's edge does not) meant that every burst of questions after a few quiet
 * seconds opened a new connection (a TLS handshake, against OpenAI) per question. OpenAI's edge closes idle
 * connections after 400 s; this stays well below that, so a reused connection is not one the server is closing.
 */
const KEEP_ALIVE_MS = 60_000;

/** How long closing waits for connections to finish before cutting them. */
const CLOSE_GRACE_MS = 1_000;

/** A streaming `Llm` over the official SDK; one client, and one connection pool, for every call. */
export function createOpenAiLlm(options: OpenAiLlmOptions): Llm & { close(): Promise<void> } {
  // The SDK's own timeout (until headers) and the idle watchdog (once streaming) govern; undici's defaults (300 s
  // each) would otherwise cut a longer OPENAI_TIMEOUT_MS or OPENAI_IDLE_TIMEOUT_MS short with an error of their own.
  const agent = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: 0, bodyTimeout: 0 });
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: requestFetch(agent),
  });
  const open = options.api === 'responses' ? openResponses : openChat;

  return {
    async *stream(original, { signal }) {
      if (signal.aborted) return;
      let request = options.vision === false ? withoutImages(original) : original;
      let visionRejected = false;
      let watchdog = new IdleWatchdog(options.idleTimeoutMs, signal);
      try {
        let model: ModelStream;
        try {
          model = await open(client, options, request, watchdog);
        } catch (error) {
          // A text-only model answers 400 to image parts before streaming anything: ask once more without them.
          if (signal.aborted || !hasImages(request) || !isBadRequest(error)) throw error;
          watchdog.dispose();
          watchdog = new IdleWatchdog(options.idleTimeoutMs, signal);
          request = withoutImages(request);
          visionRejected = true;
          model = await open(client, options, request, watchdog);
        }
        // One generator (this one) between the body and the caller: each layer costs per network chunk.
        for await (const text of model.deltas) if (text !== undefined) yield { type: 'delta', text };
        const done = model.done();
        if (signal.aborted) return;
        if (done) {
          yield visionRejected ? { ...done, visionRejected } : done;
          return;
        }
        if (watchdog.fired) throw stalled(options.idleTimeoutMs);
        throw new LlmError('connection', 'The stream ended before the model finished');
      } catch (error) {
        if (signal.aborted) return;
        if (watchdog.fired) throw stalled(options.idleTimeoutMs, error);
        throw toLlmError(error);
      } finally {
        watchdog.dispose();
      }
    },
    /** Closes the connections; call once nothing streams any more. */
    // Streams are aborted by then (the shutdown deadline); a connection that still lingers is cut rather than waited on.
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
      });
      const closed = await Promise.race([agent.close().then(() => 'closed' as const), late]);
      clearTimeout(timer);
      if (closed === 'late') await agent.destroy();
    },
  };
}

function isBadRequest(error: unknown): boolean {
  return error instanceof APIError && error.status === 400;
}

function stalled(idleMs: number, cause?: unknown): LlmError {
  return new LlmError('stalled', `No stream event for ${idleMs} ms`, { cause });
}

/** Maps whatever the SDK or the transport threw onto an `LlmError`; order matters (subclasses first). */
function toLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof APIConnectionTimeoutError) return new LlmError('timeout', message, { cause: error });
  if (error instanceof APIUserAbortError) return new LlmError('aborted', message, { cause: error });
  if (error instanceof APIConnectionError) return new LlmError('connection', message, { cause: error });
  if (error instanceof APIError) {
    const status = error.status;
    // No status: an error event inside a 200 stream.
    if (status === undefined) return new LlmError('server', message, { cause: error });
    return new LlmError(kindOfStatus(status), message, { cause: error, status });
  }
  // Malformed SSE JSON: the server spoke nonsense.
  if (error instanceof SyntaxError) return new LlmError('server', message, { cause: error });
  // fetch's body reader throws a bare TypeError ("terminated") when the socket dies mid-stream.
  return new LlmError('connection', message, { cause: error });
}

function kindOfStatus(status: number): LlmError['kind'] {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  if (status >= 400) return 'bad_request';
  return 'server';
}
