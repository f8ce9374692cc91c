import type OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { ResponseStreamEvent, ResponseUsage } from 'openai/resources/responses/responses';
import { LlmError } from '../errors';
import type { IdleWatchdog } from './idle-watchdog';
import type { LlmEvent, LlmRequest, LlmUsage } from './llm';
import { chatContent, responsesContent } from './message-content';
import { type SseTextReader, sseTextReader } from './sse-text';

// Starting a model's stream on each API: the request the SDK makes, and the text and end read back from its body.

/** What a request takes from the model's settings. */
export interface ModelSettings {
  /** Default: the SDK's (OPENAI_BASE_URL, else api.openai.com). */
  baseURL?: string;
  model: string;
  maxOutputTokens?: number;
}

export type DoneEvent = Extract<LlmEvent, { type: 'done' }>;

/** A started model stream: its text, a network chunk at a time (undefined for chunks without text), then how it ended. */
export interface ModelStream {
  deltas: AsyncIterable<string | undefined>;
  /** Once the deltas are read: the end the server reported, if it reported one; throws a failure the stream reported. */
  done(): DoneEvent | undefined;
}

/** Starts a streamed answer on the Responses API (OpenAI's own). */
export async function openResponses(
  client: OpenAI,
  options: ModelSettings,
  request: LlmRequest,
  watchdog: IdleWatchdog,
): Promise<ModelStream> {
  const response = await client.responses
    .create(
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
    )
    .asResponse();
  let done: DoneEvent | undefined;
  const reader = sseTextReader((event: ResponseStreamEvent): string | undefined => {
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
      case 'error':
        throw new LlmError('server', event.message);
    }
    return undefined;
  });
  return modelStream(response, watchdog, reader, () => done);
}

/** Starts a streamed answer on Chat Completions (compatible servers). */
export async function openChat(
  client: OpenAI,
  options: ModelSettings,
  request: LlmRequest,
  watchdog: IdleWatchdog,
): Promise<ModelStream> {
  const response = await client.chat.completions
    .create(
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
    )
    .asResponse();
  let finish: string | undefined;
  let usage: LlmUsage | undefined;
  const reader = sseTextReader((chunk: ChatCompletionChunk): string | undefined => {
    const choice = chunk.choices[0];
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) usage = fromCompletionUsage(chunk.usage);
    return choice?.delta?.content || undefined;
  });
  const done = (): DoneEvent | undefined => {
    if (finish === undefined) return undefined;
    return finish === 'length' ? { type: 'done', usage, truncated: true } : { type: 'done', usage };
  };
  return modelStream(response, watchdog, reader, done);
}

/**
 * The SSE body of a started model request, read here rather than through the SDK's stream (see `sseTextReader`); the
 * SDK still makes the request, retries it, times it out and turns an error status into its errors.
 */
function modelStream(
  response: Response,
  watchdog: IdleWatchdog,
  reader: SseTextReader,
  done: () => DoneEvent | undefined,
): ModelStream {
  return {
    deltas: watchdog.watch(response.body ?? emptyBody(), reader.read),
    done: () => {
      reader.finish();
      return done();
    },
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

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
function isOpenAi(options: ModelSettings): boolean {
  return options.baseURL === undefined || new URL(options.baseURL).hostname === 'api.openai.com';
}
