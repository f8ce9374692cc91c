import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** How the fake answers one request; everything has a default. */
export interface Script {
  /** The answer, split into deltas of `chunkChars`. Default "Hello from the fake model." */
  text?: string;
  /** Exact deltas to send (overrides `text`). */
  deltas?: string[];
  /** Delta size when splitting `text`. Default 4. */
  chunkChars?: number;
  /** Delay before the first delta, after the headers and the opening events. */
  ttftMs?: number;
  /** Delay before the response headers (or the error response) are sent. */
  headersDelayMs?: number;
  /** Delay between deltas. */
  deltaDelayMs?: number;
  /** Alternative pacing: deltas per second (each delta counts as one token). */
  tokensPerSecond?: number;
  /** Non-200 status: answer with a JSON error body instead of a stream. */
  status?: number;
  /** Body for a non-200 status. Default `{ error: { message, type, param, code } }`. */
  errorBody?: unknown;
  /** Extra response headers (stream or error), e.g. `retry-after-ms: 1` to keep SDK retries fast. */
  headers?: Record<string, string>;
  /** Send N deltas (or all, if fewer), then go silent with the socket open until the client aborts or the fake closes. */
  stallAfter?: number;
  /** Send N deltas (or all, if fewer), then destroy the socket mid-body. */
  cutAfter?: number;
  /** Send N deltas (or all, if fewer), then an SSE error event, then end the body. */
  sseErrorAfter?: number;
  /** How the answer ends. Default 'stop'; 'length' means the output token limit was hit. */
  finish?: 'stop' | 'length';
  /** Reported usage. Defaults: input ≈ prompt characters / 4, output = number of deltas, cached 0. */
  usage?: { input?: number; output?: number; cached?: number };
}

/** One request the fake received. */
export interface RecordedRequest {
  api: 'responses' | 'chat';
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: the parsed JSON body, asserted on freely by tests
  body: any;
  headers: Record<string, string | string[] | undefined>;
  /** performance.now() when the request body was received. */
  at: number;
}

/** A loopback OpenAI speaking the streaming Responses and Chat Completions APIs. */
export interface FakeOpenAI {
  /** For the SDK's `baseURL`, e.g. http://127.0.0.1:PORT/v1 */
  baseURL: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Scripts consumed in order, one per request. */
  enqueue(...scripts: Script[]): void;
  /** The script used when the queue is empty. */
  respond(fn: (req: RecordedRequest) => Script): void;
  /** performance.now() per response when its first delta was written. */
  firstDeltaSentAt: number[];
  /** Streams started and not yet ended. */
  openStreams(): number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Ends every stream (stalled ones too) and stops the server. */
  close(): Promise<void>;
  /** Emulates a text-only model: any request with image parts gets HTTP 400, as vLLM / Ollama text models answer. */
  rejectImageParts(on?: boolean): void;
  /** Every POST /v1/embeddings body, in arrival order (kept apart from `requests`, which are model calls). */
  embeddingRequests: { model: unknown; input: string[] }[];
  /** Replaces how a text becomes a vector (default: `bagOfWordsVector`). */
  embedWith(fn: (text: string) => number[]): void;
  /** Makes the next `count` embeddings requests fail with `status`. */
  failEmbeddings(count: number, status?: number): void;
}

/** Vector length of the default fake embeddings. */
export const FAKE_EMBEDDING_DIMENSIONS = 64;

/** A deterministic embedding: each lower-cased word adds 1 to a dimension chosen by its hash. */
export function bagOfWordsVector(text: string): number[] {
  const vector = new Array<number>(FAKE_EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 2166136261;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619);
    vector[(hash >>> 0) % FAKE_EMBEDDING_DIMENSIONS] += 1;
  }
  return vector;
}

/** One image part a request carried, whichever API: its URL (a data: URL from the bot) and where it was. */
export interface SentImage {
  url: string;
  /** Index of the message (in `input` / `messages`) that carried it. */
  message: number;
  /** The part type as sent: 'input_image' (Responses) or 'image_url' (Chat). */
  type: string;
}

/** Every image part of a recorded request, in order. */
export function imagesOf(req: RecordedRequest): SentImage[] {
  const raw: unknown = req.api === 'responses' ? req.body.input : req.body.messages;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((m: { content?: unknown }, message: number) => {
    if (!Array.isArray(m?.content)) return [];
    return m.content.flatMap((part: { type?: unknown; image_url?: unknown }) => {
      if (part?.type === 'input_image' && typeof part.image_url === 'string') {
        return [{ url: part.image_url, message, type: 'input_image' }];
      }
      const url = (part?.image_url as { url?: unknown } | undefined)?.url;
      if (part?.type === 'image_url' && typeof url === 'string') return [{ url, message, type: 'image_url' }];
      return [];
    });
  });
}

/** One message as sent to the model, whichever API carried it. */
export interface SentMessage {
  role: string;
  content: string;
}

const DEFAULT_TEXT = 'Hello from the fake model.';

/** Text of a message content: a string or an array of parts with `text`. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** The instructions (the Responses field) and the system/developer messages, joined. */
export function instructionsOf(req: RecordedRequest): string {
  const field = req.api === 'responses' ? contentText(req.body.instructions) : '';
  const messages = messagesOf(req, true).filter((m) => m.role === 'system' || m.role === 'developer');
  return [field, ...messages.map((m) => m.content)].filter((text) => text !== '').join('\n');
}

/** The conversation sent, oldest first, without the system/developer messages unless asked. */
export function messagesOf(req: RecordedRequest, includeSystem = false): SentMessage[] {
  const raw: unknown = req.api === 'responses' ? req.body.input : req.body.messages;
  const list = typeof raw === 'string' ? [{ role: 'user', content: raw }] : Array.isArray(raw) ? raw : [];
  return list
    .map((m: { role?: unknown; content?: unknown }) => ({
      role: String(m.role ?? ''),
      content: contentText(m.content),
    }))
    .filter((m) => includeSystem || (m.role !== 'system' && m.role !== 'developer'));
}

/** The last user message's text. */
export function lastUserText(req: RecordedRequest): string {
  return messagesOf(req).findLast((m) => m.role === 'user')?.content ?? '';
}

/** Everything the model was sent (instructions and every message), as one string. */
export function promptText(req: RecordedRequest): string {
  return [instructionsOf(req), ...messagesOf(req).map((m) => m.content)].join('\n');
}

function splitText(text: string, size: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff && end < text.length) end++;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

function defaultErrorBody(status: number): unknown {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 401 || status === 403
        ? 'authentication_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
  return { error: { message: `Fake OpenAI error ${status}`, type, param: null, code: null } };
}

const sleep = (ms: number, timers: Set<NodeJS.Timeout>): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });

/** The SSE frames of one answer; only delta frames are built per delta, from a pre-serialised prefix. */
interface Wire {
  /** Frames sent with the headers. */
  opening(): string;
  delta(text: string): string;
  /** Frames that end a complete answer. */
  closing(fullText: string, deltaCount: number): string;
  error(): string;
}

interface WireContext {
  body: { model?: unknown; stream_options?: { include_usage?: unknown }; instructions?: unknown };
  script: Script;
  promptChars: number;
}

function usageOf(ctx: WireContext, deltaCount: number) {
  const input = ctx.script.usage?.input ?? Math.ceil(ctx.promptChars / 4);
  const output = ctx.script.usage?.output ?? deltaCount;
  return { input, output, cached: ctx.script.usage?.cached ?? 0 };
}

function responsesWire(ctx: WireContext): Wire {
  const id = `resp_${randomBytes(12).toString('hex')}`;
  const itemId = `msg_${randomBytes(12).toString('hex')}`;
  const createdAt = Math.floor(Date.now() / 1000);
  let seq = 0;
  const frame = (type: string, fields: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: seq++ })}\n\n`;
  const response = (status: string, output: unknown[], extra: Record<string, unknown>) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: ctx.body.instructions ?? null,
    max_output_tokens: null,
    model: ctx.body.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    metadata: {},
    ...extra,
  });
  const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
  const item = (status: string, content: unknown[]) => ({
    id: itemId,
    type: 'message',
    status,
    content,
    role: 'assistant',
  });
  const deltaPrefix = `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"${itemId}","output_index":0,"content_index":0,"delta":`;
  return {
    opening: () =>
      frame('response.created', { response: response('in_progress', [], {}) }) +
      frame('response.in_progress', { response: response('in_progress', [], {}) }) +
      frame('response.output_item.added', { output_index: 0, item: item('in_progress', []) }) +
      frame('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: part('') }),
    delta: (text) => `${deltaPrefix}${JSON.stringify(text)},"sequence_number":${seq++},"logprobs":[]}\n\n`,
    closing(fullText, deltaCount) {
      const u = usageOf(ctx, deltaCount);
      const truncated = ctx.script.finish === 'length';
      const doneItem = item(truncated ? 'incomplete' : 'completed', [part(fullText)]);
      const loc = { item_id: itemId, output_index: 0, content_index: 0 };
      return (
        frame('response.output_text.done', { ...loc, text: fullText, logprobs: [] }) +
        frame('response.content_part.done', { ...loc, part: part(fullText) }) +
        frame('response.output_item.done', { output_index: 0, item: doneItem }) +
        frame(truncated ? 'response.incomplete' : 'response.completed', {
          response: response(truncated ? 'incomplete' : 'completed', [doneItem], {
            completed_at: truncated ? null : Math.floor(Date.now() / 1000),
            incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
            usage: {
              input_tokens: u.input,
              input_tokens_details: { cached_tokens: u.cached },
              output_tokens: u.output,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: u.input + u.output,
            },
          }),
        })
      );
    },
    error: () => frame('error', { code: 'server_error', message: 'The fake model failed mid-stream.', param: null }),
  };
}

function chatWire(ctx: WireContext): Wire {
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  const includeUsage = ctx.body.stream_options?.include_usage === true;
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(ctx.body.model ?? '')},"system_fingerprint":null,"choices":`;
  const tail = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  const chunk = (choice: string) => `data: ${head}[{"index":0,${choice},"logprobs":null}]${tail}`;
  return {
    opening: () => chunk('"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null'),
    delta: (text) => chunk(`"delta":{"content":${JSON.stringify(text)}},"finish_reason":null`),
    closing(_fullText, deltaCount) {
      let out = chunk(`"delta":{},"finish_reason":"${ctx.script.finish ?? 'stop'}"`);
      if (includeUsage) {
        const u = usageOf(ctx, deltaCount);
        const usage = {
          prompt_tokens: u.input,
          completion_tokens: u.output,
          total_tokens: u.input + u.output,
          prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
        };
        out += `data: ${head}[],"usage":${JSON.stringify(usage)}}\n\n`;
      }
      return `${out}data: [DONE]\n\n`;
    },
    error: () =>
      `data: ${JSON.stringify({ error: { message: 'The fake model failed mid-stream.', type: 'server_error', param: null, code: null } })}\n\n`,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_${randomBytes(8).toString('hex')}`,
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a fake OpenAI on 127.0.0.1 with a random port. */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queue: Script[] = [];
  const firstDeltaSentAt: number[] = [];
  const open = new Set<ServerResponse>();
  let fallback: (req: RecordedRequest) => Script = () => ({ text: DEFAULT_TEXT });
  let rejectImages = false;
  const embeddingRequests: FakeOpenAI['embeddingRequests'] = [];
  let vectorOf = bagOfWordsVector;
  let embeddingFailures: { count: number; status: number } = { count: 0, status: 500 };

  /** POST /v1/embeddings: one vector per input, in order (non-streaming JSON). */
  function embeddings(res: ServerResponse, body: { model?: unknown; input?: unknown }): void {
    const input =
      typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.map(String) : [];
    embeddingRequests.push({ model: body.model, input });
    if (embeddingFailures.count > 0) {
      embeddingFailures.count--;
      sendJson(res, embeddingFailures.status, defaultErrorBody(embeddingFailures.status), {
        'x-should-retry': 'false',
      });
      return;
    }
    sendJson(res, 200, {
      object: 'list',
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) })),
      model: body.model,
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    });
  }

  async function stream(res: ServerResponse, wire: Wire, script: Script): Promise<void> {
    const timers = new Set<NodeJS.Timeout>();
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    });
    const gone = () => res.destroyed || res.writableEnded;
    const deltas = script.deltas ?? splitText(script.text ?? DEFAULT_TEXT, Math.max(1, script.chunkChars ?? 4));
    const stopAt = Math.min(deltas.length, script.stallAfter ?? script.cutAfter ?? script.sseErrorAfter ?? Infinity);
    const interval = script.deltaDelayMs ?? (script.tokensPerSecond ? 1000 / script.tokensPerSecond : 0);

    if (script.headersDelayMs) await sleep(script.headersDelayMs, timers);
    if (gone()) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomBytes(8).toString('hex')}`,
      ...script.headers,
    });
    res.write(wire.opening());
    if (script.ttftMs) await sleep(script.ttftMs, timers);

    const start = performance.now();
    let pending = '';
    for (let i = 0; i < stopAt; i++) {
      if (interval > 0 && i > 0) {
        if (pending) res.write(pending);
        pending = '';
        // Schedule against the start time so pacing does not drift with timer lateness.
        const wait = start + i * interval - performance.now();
        if (wait > 0) await sleep(wait, timers);
      }
      if (gone()) return;
      if (i === 0) firstDeltaSentAt.push(performance.now());
      pending += wire.delta(deltas[i]);
    }

    if (script.cutAfter !== undefined) {
      if (pending) res.write(pending);
      // Let the deltas reach the client before the socket dies mid-body.
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (script.stallAfter !== undefined) {
      if (pending) res.write(pending);
      return;
    }
    if (script.sseErrorAfter !== undefined) {
      res.end(pending + wire.error());
      return;
    }
    res.end(pending + wire.closing(deltas.join(''), deltas.length));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req).catch(() => '');
    const at = performance.now();
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/v1/embeddings') {
      embeddings(res, JSON.parse(raw || '{}'));
      return;
    }
    const api = path === '/v1/responses' ? 'responses' : path === '/v1/chat/completions' ? 'chat' : undefined;
    if (req.method !== 'POST' || !api) {
      sendJson(res, 404, { error: { message: `Unknown route ${req.method} ${path}`, type: 'invalid_request_error' } });
      return;
    }
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(res, 400, { error: { message: 'Invalid JSON body', type: 'invalid_request_error' } });
      return;
    }
    const recorded: RecordedRequest = { api, path, body, headers: req.headers, at };
    requests.push(recorded);
    if (rejectImages && imagesOf(recorded).length > 0) {
      const message = 'Image input is not supported for this model.';
      sendJson(res, 400, { error: { message, type: 'invalid_request_error', param: 'messages', code: null } });
      return;
    }
    const script = queue.shift() ?? fallback(recorded);

    if (script.status !== undefined && script.status !== 200) {
      const timers = new Set<NodeJS.Timeout>();
      res.on('close', () => {
        for (const t of timers) clearTimeout(t);
      });
      if (script.headersDelayMs) await sleep(script.headersDelayMs, timers);
      if (!res.destroyed)
        sendJson(res, script.status, script.errorBody ?? defaultErrorBody(script.status), script.headers);
      return;
    }
    if (body?.stream !== true) {
      sendJson(res, 400, {
        error: {
          message: 'The fake only supports stream: true',
          type: 'invalid_request_error',
          param: 'stream',
          code: null,
        },
      });
      return;
    }
    const ctx: WireContext = { body, script, promptChars: promptText(recorded).length };
    await stream(res, api === 'responses' ? responsesWire(ctx) : chatWire(ctx), script);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // OpenAI's edge keeps an idle HTTP/1.1 connection for 400 s and sends no Keep-Alive hint, so the client's own idle
  // timeout decides when a connection is dropped. Node's default (close after 5 s, and say so) would decide for it.
  server.keepAliveTimeout = 0;
  let connections = 0;
  server.on('connection', () => connections++);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    firstDeltaSentAt,
    enqueue: (...scripts) => {
      queue.push(...scripts);
    },
    respond: (fn) => {
      fallback = fn;
    },
    rejectImageParts: (on = true) => {
      rejectImages = on;
    },
    embeddingRequests,
    embedWith: (fn) => {
      vectorOf = fn;
    },
    failEmbeddings: (count, status = 500) => {
      embeddingFailures = { count, status };
    },
    openStreams: () => open.size,
    connections: () => connections,
    close: async () => {
      for (const res of open) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
