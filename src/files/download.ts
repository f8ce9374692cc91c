/** Downloads one Slack file with the bot token: only to Slack, redirects checked hop by hop, size and time capped. */
import { Agent, request } from 'undici';
import { hostOf, mayCarryBotToken } from './slack-url';

/** How a download ended. Bytes only on `ok`. */
export type DownloadResult =
  | { ok: true; bytes: Buffer; contentType: string; signInPage: boolean }
  | { ok: false; reason: 'not_slack' | 'too_large' | 'http_error' | 'timeout' | 'failed'; detail: string };

/** Everything a download needs; one Agent is shared by all downloads. */
export interface DownloadOptions {
  botToken: string;
  slackApiUrl: string;
  /** Stop reading past this many bytes. */
  maxBytes: number;
  /** Whole download, redirects included. */
  timeoutMs: number;
  dispatcher: Agent;
}

const MAX_REDIRECTS = 5;

/** The connection pool for file downloads, kept apart from the Web API's and the model's. */
export function createDownloadAgent(): Agent {
  return new Agent({ connections: 8, keepAliveTimeout: 30_000, connectTimeout: 10_000 });
}

/**
 * Fetches `url`, sending the token only where mayCarryBotToken allows; a redirect elsewhere is not followed at all.
 * The body is streamed and abandoned once it passes maxBytes. Never throws.
 */
export async function downloadSlackFile(url: string, options: DownloadOptions): Promise<DownloadResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!mayCarryBotToken(current, options.slackApiUrl)) {
        return { ok: false, reason: 'not_slack', detail: `host ${hostOf(current)} is not Slack` };
      }
      const response = await request(current, {
        method: 'GET',
        headers: { authorization: `Bearer ${options.botToken}` },
        dispatcher: options.dispatcher,
        signal,
      });
      const location = header(response.headers.location);
      if (response.statusCode >= 300 && response.statusCode < 400 && location) {
        await response.body.dump();
        current = new URL(location, current).toString();
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        return { ok: false, reason: 'http_error', detail: `HTTP ${response.statusCode}` };
      }
      const declared = Number(header(response.headers['content-length']));
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        response.body.destroy();
        return { ok: false, reason: 'too_large', detail: `${declared} bytes declared` };
      }
      const bytes = await readCapped(response.body, options.maxBytes);
      if (!bytes) return { ok: false, reason: 'too_large', detail: `over ${options.maxBytes} bytes` };
      const contentType = (header(response.headers['content-type']) ?? '').toLowerCase();
      const signInPage = header(response.headers['x-slack-meta']) === 'acl_fail';
      return { ok: true, bytes, contentType, signInPage };
    }
    return { ok: false, reason: 'failed', detail: 'too many redirects' };
  } catch (error) {
    if (signal.aborted) return { ok: false, reason: 'timeout', detail: `over ${options.timeoutMs} ms` };
    return { ok: false, reason: 'failed', detail: error instanceof Error ? error.name : 'error' };
  }
}

/** The body, or undefined once it passes `max` bytes (the rest is never read). */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  max: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
