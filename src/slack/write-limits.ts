// The Slack write methods the budget counts, and their default limits and learning.
import type { Learning, RateLimit } from './budget-window';

/** The Slack write methods the budget counts: the reply streamer's, and the side writes (status lines, deletions). */
export type WriteMethod =
  | 'chat.startStream'
  | 'chat.appendStream'
  | 'chat.stopStream'
  | 'chat.postMessage'
  | 'chat.update'
  | 'chat.delete'
  | 'assistant.threads.setStatus'
  | 'assistant.threads.setSuggestedPrompts'
  | 'reactions.add'
  | 'chat.postEphemeral'
  | 'views.publish';

/** A method's limits: per workspace, and optionally per key within it (e.g. per channel). */
export interface MethodLimits {
  team: RateLimit;
  perKey?: RateLimit;
}

const MINUTE = 60_000;

/**
 * A little under Slack's tiers (startStream/stopStream Tier 2 ≈ 20, appendStream Tier 4 ≈ 100, update, delete and
 * setStatus Tier 3 ≈ 50). chat.postMessage: about one per second per channel, and a workspace-wide allowance Slack
 * calls "several hundred a minute".
 */
export const DEFAULT_WRITE_LIMITS: Record<WriteMethod, MethodLimits> = {
  'chat.startStream': { team: { limit: 18, windowMs: MINUTE } },
  'chat.stopStream': { team: { limit: 18, windowMs: MINUTE } },
  'chat.appendStream': { team: { limit: 90, windowMs: MINUTE } },
  'chat.update': { team: { limit: 45, windowMs: MINUTE } },
  'chat.delete': { team: { limit: 45, windowMs: MINUTE } },
  'assistant.threads.setStatus': { team: { limit: 45, windowMs: MINUTE } },
  // Set when someone opens the bot's DM: Tier 4.
  'assistant.threads.setSuggestedPrompts': { team: { limit: 90, windowMs: MINUTE } },
  // The support desk's writes: reactions Tier 3, ephemeral messages and Home tabs Tier 4.
  'reactions.add': { team: { limit: 45, windowMs: MINUTE } },
  'chat.postEphemeral': { team: { limit: 90, windowMs: MINUTE } },
  'views.publish': { team: { limit: 90, windowMs: MINUTE } },
  // Slack: about one per second per channel, with a workspace-wide cap of a few hundred per minute.
  'chat.postMessage': { team: { limit: 300, windowMs: MINUTE }, perKey: { limit: 1, windowMs: 1_000 } },
};

/** Learning unless told otherwise: grow back to the starting allowance, a tenth every 10 quiet minutes. */
export const DEFAULT_LEARNING: Learning = { ceilingFactor: 1, growAfterMs: 10 * MINUTE };
