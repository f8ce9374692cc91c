import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { ResponseStreamEvent, ResponseUsage } from 'openai/resources/responses/responses';
import { Agent } from 'undici';
import { LlmError } from '../errors';
import { IdleWatchdog } from './idle-watchdog';
import type { Llm, LlmEvent, LlmRequest, LlmUsage } from './llm';
import { chatContent, hasImages, responsesContent, withoutImages } from './message-content';
import { requestFetch } from './request-fetch';

/** How to reach an OpenAI-compatible model. */
export interface OpenAiLlmOptions {
  apiKey: string;
  /** Default: the SDK's (OPENAI_BASE_URL, else api.openai.com). */
  baseURL?: string;
  model: string;
  /** 'responses' for OpenAI itself; 'chat' (Chat Completions) for compatible servers. */
  api: 'responses' | 'chat';
  /** Per attempt, until the response headers arrive. */
  timeoutMs: number;
  /** SDK retries (429, 5xx, connection) before the stream starts; never after. */
  maxRetries: number;
  /** Longest silence allowed once the stream has started. */
  idleTimeoutMs: number;
  maxOutputTokens?: number;
  /** false (OPENAI_VISION=false): images are left out of every request. Default true. */
  vision?: boolean;
}

type DoneEvent = Extract<LlmEvent, { type: 'done' }>;

/** A started model stream: its text deltas (undefined for events without text), then how it ended. */
interface ModelStream {
  deltas: AsyncIterable<string | undefined>;
  /** Once the deltas are read: the end the server reported, if it reported one. */
  done(): DoneEvent | undefined;
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
        // One generator (this one) between the SDK's stream and the caller: each layer costs per delta.
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

async function openResponses(
  client: OpenAI,
  options: OpenAiLlmOptions,
  request: LlmRequest,
  watchdog: IdleWatchdog,
): Promise<ModelStream> {
  const events = await client.responses.create(
    {
      model: options.model,
      // The context goes first as a developer message, not as `instructions`: the model reads the same thing, but a
      // response repeats its `instructions` in three of its events (created, in_progress, completed), so a 3 KB
      // context came back as ~9 KB more of every answer's stream for the SDK to parse.
      input: [{ role: 'developer', content: request.instructions }, ...request.messages.map(responsesContent)],
      stream: true,
      store: false,
      ...(options.maxOutputTokens !== undefined && { max_output_tokens: options.maxOutputTokens }),
      ...(request.user !== undefined && { safety_identifier: request.user }),
      ...(request.promptCacheKey !== undefined && { prompt_cache_key: request.promptCacheKey }),
      ...(request.jsonSchema !== undefined && {
        text: { format: { type: 'json_schema', strict: true, ...request.jsonSchema } },
      }),
    },
    { signal: watchdog.signal },
  );
  let done: DoneEvent | undefined;
  const textOf = (event: ResponseStreamEvent): string | undefined => {
    switch (event.type) {
      case 'response.output_text.delta':
        return event.delta;
      case 'response.completed':
        done = { type: 'done', usage: fromResponseUsage(event.response.usage) };
        break;
      case 'response.incomplete':
        done = { type: 'done', usage: fromResponseUsage(event.response.usage), truncated: true };
        break;
      case 'response.failed':
        throw new LlmError('server', event.response.error?.message ?? 'The response failed');
    }
    return undefined;
  };
  return { deltas: watchdog.watch(events, textOf), done: () => done };
}

async function openChat(
  client: OpenAI,
  options: OpenAiLlmOptions,
  request: LlmRequest,
  watchdog: IdleWatchdog,
): Promise<ModelStream> {
  const chunks = await client.chat.completions.create(
    {
      model: options.model,
      messages: [{ role: 'system', content: request.instructions }, ...request.messages.map(chatContent)],
      stream: true,
      stream_options: { include_usage: true },
      ...(options.maxOutputTokens !== undefined && { max_completion_tokens: options.maxOutputTokens }),
      // `user` rather than `safety_identifier`: compatible servers know the older field. Some of them refuse fields
      // they do not know (Mistral's "extra inputs are not permitted"): the ids go to OpenAI itself only.
      ...(isOpenAi(options) && request.user !== undefined && { user: request.user }),
      ...(isOpenAi(options) && request.promptCacheKey !== undefined && { prompt_cache_key: request.promptCacheKey }),
      ...(request.jsonSchema !== undefined && {
        response_format: { type: 'json_schema', json_schema: { strict: true, ...request.jsonSchema } },
      }),
    },
    { signal: watchdog.signal },
  );
  let finish: string | undefined;
  let usage: LlmUsage | undefined;
  const textOf = (chunk: ChatCompletionChunk): string | undefined => {
    const choice = chunk.choices[0];
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) usage = fromCompletionUsage(chunk.usage);
    return choice?.delta?.content || undefined;
  };
  const done = (): DoneEvent | undefined => {
    if (finish === undefined) return undefined;
    return finish === 'length' ? { type: 'done', usage, truncated: true } : { type: 'done', usage };
  };
  return { deltas: watchdog.watch(chunks, textOf), done };
}

function fromResponseUsage(usage: ResponseUsage | undefined | null): LlmUsage | undefined {
  if (!usage) return undefined;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cachedTokens: usage.input_tokens_details?.cached_tokens,
  };
}

function fromCompletionUsage(usage: CompletionUsage): LlmUsage {
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens,
  };
}

/** The official API (no OPENAI_BASE_URL, or one on api.openai.com), not a compatible server. */
function isOpenAi(options: OpenAiLlmOptions): boolean {
  return options.baseURL === undefined || new URL(options.baseURL).hostname === 'api.openai.com';
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
