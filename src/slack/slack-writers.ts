// The bot's writes to Slack: one budget per workspace, shared by the answers' replies and the side writes.
import type { webApi } from '@slack/bolt';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { CapacityLeases } from '../store/capacity-leases';
import { createReplyStreamer } from './reply-stream';
import type { ReplyStreamer } from './reply-types';
import { withSafeText } from './safe-text';
import { createSideWriter, type SideWriter } from './side-writes';
import { WriteBudget } from './write-budget';
import { DEFAULT_WRITE_LIMITS } from './write-limits';

/** What writes answers and side messages (status lines, notices, deletions, suggested prompts). */
export interface SlackWriters {
  streamer: ReplyStreamer;
  sideWriter: SideWriter;
}

/**
 * Builds the write budget and the two writers on `client`, the Web API client that hands 429s back
 * (rejectRateLimitedCalls): WebClient pauses its whole queue on a 429, and one method's Retry-After must hold back only
 * that method (the budget's job). With `leases`, instances sharing a store share each workspace's allowance through it.
 */
export function createSlackWriters(
  config: Pick<Config, 'slackBudget' | 'streaming'>,
  client: webApi.WebClient,
  leases: CapacityLeases | undefined,
  logger: Logger,
): SlackWriters {
  const budget = new WriteBudget({
    limits: { 'chat.postMessage': { ...DEFAULT_WRITE_LIMITS['chat.postMessage'], team: config.slackBudget.posts } },
    learning: config.slackBudget.learning,
    leases,
    logger,
  });
  const streamer = withSafeText(
    createReplyStreamer({
      client,
      budget,
      logger,
      options: { minAppendIntervalMs: config.streaming.appendIntervalMs },
    }),
  );
  return { streamer, sideWriter: createSideWriter({ client, budget, logger }) };
}
