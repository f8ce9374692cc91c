/** The ids a model request carries for the provider: a prompt-cache key per thread and a hashed asker. */
import { createHash } from 'node:crypto';
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import type { LlmRequest } from '../llm/llm';

/** Hashes already taken: the same askers and threads come back, and a hash costs ~15 µs on the answering path. */
const known = new Map<string, string>();
/** Enough for a busy day's askers and threads; past it the memo starts over (~1 MB at most). */
const KNOWN_MAX = 10_000;

function hash(kind: string, value: string): string {
  const input = `slack-support-bot:${kind}:${value}`;
  let digest = known.get(input);
  if (digest === undefined) {
    digest = createHash('sha256').update(input).digest('hex').slice(0, 32);
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(input, digest);
  }
  return digest;
}

/**
 * The same thread always sends the same `promptCacheKey`, so its requests reach the servers that hold its prefix
 * (instructions, then history) in their cache; `user` lets the provider tell askers apart without a Slack id.
 */
export function requestIds(message: IncomingMessage): Pick<LlmRequest, 'user' | 'promptCacheKey'> {
  return {
    user: hash('user', `${message.team}:${message.user}`),
    promptCacheKey: hash('thread', threadKey(message)),
  };
}
