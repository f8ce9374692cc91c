// A reply's insides: where it stands, the steps the planner chooses, and what the planner and the replies share.
import type { ReplyStreamerDeps, ReplyStreamOptions } from './reply-types';
import type { Reservation, WriteBudget } from './write-budget';
import type { WriteMethod } from './write-limits';

/** A message of the reply still being written, with the slot for its last write held in the budget. */
export type OpenMessage =
  | { via: 'stream'; ts: string; body: string; stop: Reservation }
  | {
      via: 'post';
      ts: string;
      body: string;
      finalUpdate: Reservation;
      /** Posted under pressure: no updates in the middle, only the final one. */
      quiet: boolean;
    };

/** Where a reply stands; changed only by the planner (reply-plan.ts, reply-plan-open.ts) and the outcome functions. */
export interface ReplyState {
  /** Model output Slack has not accepted yet. */
  pending: string;
  /** Fence line to start the next message with, when the last one ended inside a code block. */
  reopen: string;
  message: OpenMessage | null;
  /** A stream whose append failed: it still gets its stop call (its slot is reserved), then is forgotten. */
  orphan: { ts: string; stop: Reservation } | null;
  /** Post and update from now on (streaming refused, out of budget, or a stream failed). */
  fallback: boolean;
  /** Some part went out as a posted message. */
  usedFallback: boolean;
  /** finish() or abort() was called: no more text comes. */
  ending: boolean;
  /** Chunks still to show with the first streamed message; dropped once shown or refused. */
  chunks: unknown[] | undefined;
  /** Blocks for the last message, dropped if Slack refuses them. */
  blocks: unknown[] | undefined;
  /** Gave up: nothing more is sent. */
  failed: boolean;
  errors: number;
  /** Clock time of the last Slack call. */
  lastCallAt: number;
  writes: number;
  delivered: string;
  messageTs: string[];
}

/** What a reply does next. Call steps carry the exact text to send; `answer` is the part of it from the model. */
export type ReplyStep =
  | { kind: 'start'; text: string; answer: string; stop: Reservation; chunks?: unknown[] }
  | {
      kind: 'post';
      text: string;
      answer: string;
      blocks: unknown[] | undefined;
      /** Null when this post is complete as posted (the rest of a finished answer, or a piece of it). */
      finalUpdate: Reservation | null;
      /** Fence line the next message starts with, when a message posted whole ends inside a code block. */
      next: string;
      /** Under pressure: the message gets its final update only. */
      quiet: boolean;
      /** Posting because the stream budget was used up (for the log). */
      streamBudgetUsedUp: boolean;
    }
  | { kind: 'append'; ts: string; text: string }
  /** Ends a stream; `text` (answer plus any fence closer, maybe '') goes with the stop; `next` reopens a cut block. */
  | { kind: 'stop'; ts: string; text: string; answer: string; next: string; blocks: unknown[] | undefined }
  /** Replaces a posted message's text with `text`; `last` ends the message. */
  | {
      kind: 'update';
      ts: string;
      text: string;
      answer: string;
      next: string;
      blocks: unknown[] | undefined;
      last: boolean;
    }
  /** Stops a stream that failed mid-way, with nothing more in it. */
  | { kind: 'abandon'; ts: string }
  /** Waits `ms`, or (with `method`) until the budget has a slot of that method (in channel `key`) and wakes it. */
  | { kind: 'wait'; ms: number; method?: WriteMethod; key?: string }
  | { kind: 'idle' }
  | { kind: 'done' };

/** The steps that are Slack calls. */
export type CallStep = Extract<ReplyStep, { kind: 'start' | 'post' | 'append' | 'stop' | 'update' | 'abandon' }>;

/** How a call ended: with the message's ts (or the step's own), or with a Slack error code. */
export type CallOutcome = { ok: true; ts: string } | { ok: false; error: string };

/** The budget as the planner sees it. */
export type BudgetView = Pick<WriteBudget, 'tryTake' | 'reserve' | 'available' | 'nextFreeIn' | 'pressure'>;

/** Everything besides the state that the planner looks at. */
export interface PlanContext {
  budget: BudgetView;
  now: number;
  options: Required<ReplyStreamOptions>;
  team: string;
  channel: string;
  /** The workspace refused chat.startStream lately. */
  streamingRefused: boolean;
  /** The workspace refused a stream's chunks lately. */
  chunksRefused?: boolean;
}

/** What every reply of one streamer shares: its deps, the options with defaults filled in, and refusals remembered. */
export interface StreamerShared extends Required<Omit<ReplyStreamerDeps, 'options'>> {
  options: Required<ReplyStreamOptions>;
  refusedUntil: Map<string, number>;
  /** Workspaces that refused a stream's chunks (task updates), until when. */
  chunksRefusedUntil: Map<string, number>;
}
