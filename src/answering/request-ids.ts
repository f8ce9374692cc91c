/** The ids a model request carries for the provider: a prompt-cache key per thread and a hashed asker. */
import { createHash } from 'node:crypto';
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import type { LlmRequest } from '../llm/llm';

const hash = (kind: string, value: string) =>
  createHash('sha256').update(`slack-support-bot:${kind}:${value}`).digest('hex').slice(0, 32);

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
