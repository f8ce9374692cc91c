/** Sends a handoff as JSON to a URL (Jira, ServiceNow, Zendesk, Zapier automations): retried, bounded, URL never logged. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';

/** Attempts in all, and the pause before the second (doubling after). */
export const WEBHOOK_ATTEMPTS = 3;
const FIRST_PAUSE_MS = 500;
const ATTEMPT_TIMEOUT_MS = 10_000;

/** What the webhook receives. */
export interface HandoffPayload {
  type: 'handoff';
  context: string;
  team: string;
  channel: string;
  thread_ts: string;
  asker: string;
  permalink?: string;
  summary: string;
  at: string;
}

/** POSTs `payload` to `url`; 5xx, 429 and network errors are retried. True once a 2xx arrived. Never rejects. */
export async function sendWebhook(
  url: string,
  payload: HandoffPayload,
  logger: Logger,
  pauseMs = FIRST_PAUSE_MS,
): Promise<boolean> {
  for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
    let retry = true;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return true;
      retry = response.status >= 500 || response.status === 429;
      logger.warn('handoff webhook refused', { status: response.status, attempt });
    } catch (err) {
      // The error can carry the URL (and any secret in it): only its kind is logged.
      logger.warn('handoff webhook unreachable', { error: err instanceof Error ? err.name : 'unknown', attempt });
    }
    if (!retry) break;
    if (attempt < WEBHOOK_ATTEMPTS) await sleep(pauseMs * 2 ** (attempt - 1));
  }
  logger.error('handoff webhook gave up', { context: payload.context, channel: payload.channel });
  return false;
}
