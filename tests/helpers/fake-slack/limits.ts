/** An HTTP answer from the fake Web API. */
export interface ApiReply {
  status: number;
  body: { ok: boolean; error?: string; [key: string]: unknown };
  headers?: Record<string, string>;
}

/** Requests per minute per workspace, from Slack's published tiers for the methods the bot uses. */
const PER_MINUTE: Readonly<Record<string, number>> = {
  'chat.startStream': 20,
  'chat.stopStream': 20,
  'chat.update': 50,
  'conversations.replies': 50,
  'assistant.threads.setStatus': 50,
  'users.info': 50,
  'conversations.info': 50,
  'chat.appendStream': 100,
  'assistant.threads.setSuggestedPrompts': 100,
};

export type RateLimitMode = 'off' | 'tiers';

/** Sliding-window rate limits: per (team, method) over 60 s; chat.postMessage 1 per second per channel. */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Counts the call, or returns the Retry-After seconds when its window is full (a refused call is not counted). */
  take(method: string, team: string, channel: string | undefined, now: number): number | undefined {
    if (method === 'chat.postMessage') return this.takeSlot(`${team}/${method}/${channel}`, 1, 1000, now);
    const perMinute = PER_MINUTE[method];
    return perMinute === undefined ? undefined : this.takeSlot(`${team}/${method}`, perMinute, 60_000, now);
  }

  clear(): void {
    this.windows.clear();
  }

  private takeSlot(key: string, limit: number, windowMs: number, now: number): number | undefined {
    const recent = (this.windows.get(key) ?? []).filter((at) => at > now - windowMs);
    this.windows.set(key, recent);
    if (recent.length >= limit) return Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000));
    recent.push(now);
    return undefined;
  }
}

/** A scripted failure: HTTP 429 with Retry-After, another HTTP status, or HTTP 200 with {ok:false,error}. */
export interface Fault {
  /** Defaults to 429 when retryAfter is given, else 200. */
  status?: number;
  /** Seconds, sent as Retry-After on a 429 (default 1). */
  retryAfter?: number;
  /** The body's error (default 'ratelimited' for 429, else 'internal_error'). */
  error?: string;
  /** How many calls in a row fail this way (default 1). */
  times?: number;
}

/** Failures queued per method, used up in order. */
export class FaultScript {
  private readonly queued = new Map<string, Fault[]>();

  add(method: string, fault: Fault): void {
    const list = this.queued.get(method) ?? [];
    list.push({ ...fault, times: fault.times ?? 1 });
    this.queued.set(method, list);
  }

  /** The reply for the next scripted failure of `method`, if any. */
  take(method: string): ApiReply | undefined {
    const fault = this.queued.get(method)?.[0];
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.queued.get(method)?.shift();
    const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : 200);
    if (status === 429) {
      return {
        status,
        body: { ok: false, error: fault.error ?? 'ratelimited' },
        headers: { 'Retry-After': String(fault.retryAfter ?? 1) },
      };
    }
    return { status, body: { ok: false, error: fault.error ?? 'internal_error' } };
  }

  clear(): void {
    this.queued.clear();
  }
}
