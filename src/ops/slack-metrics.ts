/** Counts a Web API client's calls by method and result, and follows the Socket Mode connection's state. */
import { type SocketModeReceiver, webApi } from '@slack/bolt';
import type { Metrics } from './metrics';

/**
 * The WebClient (v8) internals used here. Its method facades (`client.chat.postMessage`…) are bound to the prototype's
 * `apiCall` when the client is built, so wrapping `apiCall` afterwards would miss them; every call does go through
 * `this.makeRequest(url, …)` then `this.buildResult(response)`, looked up on the instance at call time.
 */
interface WebClientInternals {
  makeRequest(url: string, body: unknown, headers?: unknown): Promise<Response>;
  buildResult(response: Response): Promise<{ ok?: boolean }>;
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`. */
function methodOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1).split('?')[0] || 'unknown';
}

/** Clients counted already: instrumenting is idempotent, so a listener's pooled client can be passed on each event. */
const instrumented = new WeakSet<webApi.WebClient>();

/**
 * Counts every Web API call `client` makes in `metrics.slackCall`: `ok` or `error` once per call (after the
 * client's own retries), and `rate_limited` for each HTTP 429 Slack answered (the client waits and retries those).
 * Changes nothing the caller sees: results, errors and retries are the client's own. A second call is a no-op.
 */
export function instrumentSlackClient(client: webApi.WebClient, metrics: Pick<Metrics, 'slackCall'>): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  const internals = client as unknown as WebClientInternals;
  const makeRequest = internals.makeRequest.bind(client);
  const buildResult = internals.buildResult.bind(client);
  const methods = new WeakMap<Response, string>();

  client.on(webApi.WebClientEvent.RATE_LIMITED, (_retrySec: number, request: { url?: string }) => {
    metrics.slackCall(methodOf(request?.url ?? ''), 'rate_limited');
  });
  internals.makeRequest = async (url, body, headers) => {
    try {
      const response = await makeRequest(url, body, headers);
      methods.set(response, methodOf(url));
      return response;
    } catch (err) {
      // A call given up on after a 429 (rejectRateLimitedCalls) was counted as rate_limited already.
      const code = (err as { code?: string }).code;
      if (code !== 'slack_webapi_rate_limited_error') metrics.slackCall(methodOf(url), 'error');
      throw err;
    }
  };
  internals.buildResult = async (response) => {
    const method = methods.get(response) ?? 'unknown';
    try {
      const result = await buildResult(response);
      // A gzip body (admin.analytics.getFile) carries no `ok`: the client treats it as success, so do we.
      const gzip = response.headers.get('content-type') === 'application/gzip';
      metrics.slackCall(method, result.ok || gzip ? 'ok' : 'error');
      return result;
    } catch (err) {
      metrics.slackCall(method, 'error');
      throw err;
    }
  };
}

/** The Socket Mode connection's state as the platform sees it: connected, or not (yet, or any more). */
export type SocketState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface SocketWatch {
  /** Called on each reconnection attempt (after a dropped connection, or a failed attempt). */
  onReconnect?: () => void;
  /** Called on every change of state. */
  onState?: (state: SocketState) => void;
}

/**
 * Follows the receiver's SocketModeClient (@slack/socket-mode 3.x): it emits `connecting`, `connected` (on Slack's
 * hello), `reconnecting` (before each retry), `disconnecting`, `disconnected`, and `close` when the WebSocket drops
 * (then waits before `reconnecting`, emitting no state). Returns a function telling whether it is connected now.
 */
export function watchSocket(receiver: SocketModeReceiver, watch: SocketWatch = {}): () => boolean {
  const { client } = receiver;
  let state: SocketState = 'disconnected';
  const set = (next: SocketState) => {
    if (next === state) return;
    state = next;
    watch.onState?.(next);
  };
  client.on('connecting', () => set('connecting'));
  client.on('connected', () => set('connected'));
  client.on('reconnecting', () => {
    watch.onReconnect?.();
    set('reconnecting');
  });
  client.on('disconnecting', () => set('disconnected'));
  client.on('disconnected', () => set('disconnected'));
  client.on('close', () => set('disconnected'));
  return () => state === 'connected';
}
