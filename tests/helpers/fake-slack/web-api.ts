import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiReply, FaultScript, RateLimiter, RateLimitMode } from './limits';
import { type Args, SlackApiError } from './methods';

/** One Web API call as the fake saw it. */
export interface RecordedCall {
  method: string;
  /** The arguments, with JSON-encoded nested values (blocks, chunks, prompts…) parsed; the token is left out. */
  args: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
  /** HTTP status answered. */
  status: number;
  /** The `error` of an {ok:false} answer. */
  error?: string;
}

interface ApiRequest {
  method: string;
  args: Args;
  token?: string;
}

/** Fields that carry text, never JSON, even when the text starts with a bracket. */
const TEXT_FIELDS = new Set(['text', 'markdown_text', 'status', 'title']);

/** WebClient form-encodes objects and arrays as JSON strings; Slack decodes them, and so does the fake. */
function parseNested(args: Args): Args {
  const parsed: Args = {};
  for (const [key, value] of Object.entries(args)) {
    parsed[key] = value;
    if (typeof value !== 'string' || TEXT_FIELDS.has(key) || !/^\s*[[{]/.test(value)) continue;
    try {
      parsed[key] = JSON.parse(value);
    } catch {
      // Not JSON after all: Slack would see the string, so keep it.
    }
  }
  return parsed;
}

async function readApiRequest(request: IncomingMessage, method: string): Promise<ApiRequest> {
  const url = new URL(request.url ?? '/', 'http://fake');
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString();
  const raw: Args = Object.fromEntries(url.searchParams);
  if (body && (request.headers['content-type'] ?? '').includes('application/json')) {
    try {
      Object.assign(raw, JSON.parse(body));
    } catch {
      throw new SlackApiError('invalid_json');
    }
  } else if (body) {
    Object.assign(raw, Object.fromEntries(new URLSearchParams(body)));
  }
  const { token, ...args } = raw;
  const bearer = request.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
  return { method, args: parseNested(args), token: bearer ?? (typeof token === 'string' ? token : undefined) };
}

/** Bot tokens for everything except apps.connections.open, which takes the app-level token. */
function tokenError(method: string, token: string | undefined): string | undefined {
  if (!token) return 'not_authed';
  const wantsAppToken = method === 'apps.connections.open';
  if (token.startsWith('xapp-')) return wantsAppToken ? undefined : 'not_allowed_token_type';
  if (token.startsWith('xoxb-')) return wantsAppToken ? 'not_allowed_token_type' : undefined;
  return 'invalid_auth';
}

const failure = (error: string): ApiReply => ({ status: 200, body: { ok: false, error } });

/** The HTTP side: unknown method → scripted fault → auth → rate limit → method; every call recorded. */
export class WebApi {
  readonly calls: RecordedCall[] = [];
  readonly rateLimited: Record<string, number> = {};

  constructor(
    private readonly methods: Record<string, (args: Args) => Record<string, unknown>>,
    private readonly settings: { rateLimits: RateLimitMode; teamId: string },
    private readonly limiter: RateLimiter,
    private readonly faults: FaultScript,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = performance.now();
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    if (!path.startsWith('/api/')) {
      response.writeHead(404).end();
      return;
    }
    const method = path.slice('/api/'.length);
    let call: ApiRequest = { method, args: {} };
    let reply: ApiReply;
    try {
      call = await readApiRequest(request, method);
      reply = this.answer(call, at);
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      reply = failure(error.code);
    }
    if (reply.status === 429) this.rateLimited[method] = (this.rateLimited[method] ?? 0) + 1;
    const { error } = reply.body;
    this.calls.push({ method, args: call.args, at, status: reply.status, ...(error ? { error } : {}) });
    response
      .writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers })
      .end(JSON.stringify(reply.body));
  }

  total429(): number {
    return Object.values(this.rateLimited).reduce((sum, count) => sum + count, 0);
  }

  clearRecords(): void {
    this.calls.length = 0;
    for (const method of Object.keys(this.rateLimited)) delete this.rateLimited[method];
  }

  private answer({ method, args, token }: ApiRequest, now: number): ApiReply {
    const handler = this.methods[method];
    if (!handler) return failure('unknown_method');
    const fault = this.faults.take(method);
    if (fault) return fault;
    const authError = tokenError(method, token);
    if (authError) return failure(authError);
    if (this.settings.rateLimits === 'tiers') {
      const team = typeof args.team_id === 'string' ? args.team_id : this.settings.teamId;
      const channel = typeof args.channel === 'string' ? args.channel : undefined;
      const retryAfter = this.limiter.take(method, team, channel, now);
      if (retryAfter !== undefined) {
        return {
          status: 429,
          body: { ok: false, error: 'ratelimited' },
          headers: { 'Retry-After': String(retryAfter) },
        };
      }
    }
    return { status: 200, body: { ok: true, ...handler(args) } };
  }
}
