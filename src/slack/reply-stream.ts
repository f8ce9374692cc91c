// The reply streamer: opens replies that share its deps, its options and what workspaces refused lately.
import { Reply } from './reply-lifecycle';
import type { StreamerShared } from './reply-state';
import {
  DEFAULT_REPLY_STREAM_OPTIONS,
  type ReplyStreamer,
  type ReplyStreamerDeps,
  type ReplyStreamOptions,
} from './reply-types';

/**
 * Streams answers into Slack threads: native streams (chat.startStream/appendStream/stopStream) where the workspace
 * and the shared write budget allow, otherwise a posted message kept up to date with chat.update; long answers
 * continue in further messages, cut at paragraph breaks and never inside a code block.
 */
export function createReplyStreamer(deps: ReplyStreamerDeps): ReplyStreamer {
  const options = { ...DEFAULT_REPLY_STREAM_OPTIONS };
  for (const [key, value] of Object.entries(deps.options ?? {})) {
    if (value !== undefined) options[key as keyof ReplyStreamOptions] = value;
  }
  const refusedUntil = new Map<string, number>();
  const chunksRefusedUntil = new Map<string, number>();
  const now = deps.now ?? (() => Date.now());
  const shared: StreamerShared = { ...deps, now, options, refusedUntil, chunksRefusedUntil };
  return {
    open: (target) => {
      // Leases this workspace's slots (when instances share them) while the model thinks, not at the first write.
      deps.budget.prepare(target.team);
      return new Reply(shared, target);
    },
  };
}
