// What the reply streamer offers its callers: the Slack client it writes with, its options, targets and results.
import type { Logger } from '../logger';
import type { WriteBudget } from './write-budget';

/** Message content: markdown alone, or (to attach blocks) the markdown as a markdown block, since Slack refuses both. */
export type Content = { markdown_text: string } | { text: string; blocks: unknown[] };

/** The chat.* methods a reply uses: a structural subset of WebClient, so tests can pass a recording fake. */
export interface SlackWriter {
  chat: {
    startStream(args: {
      channel: string;
      thread_ts: string;
      markdown_text?: string;
      chunks?: unknown[];
      recipient_user_id?: string;
      recipient_team_id?: string;
    }): Promise<{ ts?: string }>;
    appendStream(args: { channel: string; ts: string; markdown_text: string }): Promise<unknown>;
    stopStream(args: { channel: string; ts: string; markdown_text?: string; blocks?: unknown[] }): Promise<unknown>;
    postMessage(args: { channel: string; thread_ts: string } & Content): Promise<{ ts?: string }>;
    update(args: { channel: string; ts: string } & Content): Promise<unknown>;
  };
}

/** Knobs; every one has a default (see DEFAULT_REPLY_STREAM_OPTIONS). */
export interface ReplyStreamOptions {
  /** Least time between two writes of the same message after the first (appends or updates). */
  minAppendIntervalMs?: number;
  /** A streamed message is finished and the answer continues in a new one before it passes this length. */
  maxStreamChars?: number;
  /** The same for messages posted and updated when streaming is not available. */
  maxFallbackChars?: number;
  /** How long a workspace that refused chat.startStream gets plain messages without trying again. */
  refusalMemoryMs?: number;
}

export const DEFAULT_REPLY_STREAM_OPTIONS: Required<ReplyStreamOptions> = {
  minAppendIntervalMs: 1_500,
  // Slack takes 12,000 characters, but streams are reported to fail from about 10,600.
  maxStreamChars: 9_000,
  // chat.update rejects text over 4,000.
  maxFallbackChars: 3_800,
  refusalMemoryMs: 10 * 60_000,
};

/** What the streamer needs; built once in the composition root. */
export interface ReplyStreamerDeps {
  client: SlackWriter;
  /** Shared by every reply of the process. */
  budget: WriteBudget;
  logger: Logger;
  now?: () => number;
  options?: ReplyStreamOptions;
}

/** The thread an answer goes to, and who asked (streams outside DMs must name their recipient). */
export interface ReplyTarget {
  team: string;
  channel: string;
  threadTs: string;
  userId: string;
  isDm: boolean;
  /**
   * Called with each message of the reply as soon as it exists in Slack (stream started or message posted), in
   * order, so the caller can record which messages its answer wrote before the answer ends. Must not throw.
   */
  onMessage?(ts: string): void;
  /**
   * Slack chunks (task_update, plan_update) shown at the top of the reply's first streamed message. Left out where
   * the workspace refuses them (the caller's status line says the same) and when the reply is posted, not streamed.
   */
  chunks?: unknown[];
  /** The answer's reference id, carried by the reply's log lines. */
  ref?: string;
}

/** What reached Slack. */
export interface ReplyResult {
  /** Every message holding part of the answer, in order. */
  messageTs: string[];
  /** Slack write calls made for this reply, failed ones included. */
  writes: number;
  /** 'fallback' as soon as any part went out as a posted and updated message. */
  mode: 'stream' | 'fallback';
  /** The answer text Slack accepted (and the abort note), without the fence lines added where messages break. */
  delivered: string;
}

/** One answer on its way into a thread. */
export interface ReplyStream {
  /** Adds model output; never blocks, never throws. */
  write(delta: string): void;
  /** Sends the rest, ends the last message (with `blocks` attached) and reports what was delivered. */
  finish(options?: { blocks?: unknown[] }): Promise<ReplyResult>;
  /** Like finish, but the answer was cut short: `note` goes after what was written, outside any code block. */
  abort(note: string): Promise<ReplyResult>;
}

/** Opens replies; one per process. */
export interface ReplyStreamer {
  open(target: ReplyTarget): ReplyStream;
}

/** Nothing of the reply could be delivered; the caller should say sorry some other way. */
export class ReplyError extends Error {
  override name = 'ReplyError';
}
