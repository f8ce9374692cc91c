import type { Turn } from '../conversation/turn';
import type { DeskBook } from './desk-book';

// Small interfaces, one per use: the answering path needs history, claims and leases; `npm run forget` needs the
// eraser. Keys are `team:channel:thread_ts`; every expiry is an absolute epoch-ms timestamp the backend enforces.

/** A question claimed by an instance and not yet answered. */
export interface PendingClaim {
  /** The claim id, `team:channel:ts` of the question. */
  id: string;
  /** Whatever the claimer stored to answer it again (JSON of the message). */
  payload: string;
  /** When it was (last) stamped, epoch ms by the store's clock. */
  claimedAt: number;
  /** Slack ts of messages written for its answer so far, oldest first */
  written: string[];
}

/** A thread's stored turns. */
export interface ThreadHistory {
  /** The thread's turns, oldest first; `[]` for an unknown or expired thread. */
  load(key: string): Promise<Turn[]>;
  /**
   * Appends turns in order and moves the whole thread's expiry to `expiresAt`. A turn already stored (same `role`
   * and `ts`, see turnId) is not stored again, so a save that failed unheard can be retried.
   */
  append(key: string, turns: Turn[], expiresAt: number): Promise<void>;
  /** True when the thread has stored turns; an existence check, never loads the turns. */
  has(key: string): Promise<boolean>;
}

/** Who answers which question, and the questions a dead instance left. */
export interface ClaimBook {
  /**
   * Claims a message id until expiresAt storing payload (and the asker's user id, for erasure); true only for the
   * first claimer. `claimer` names this claim attempt, for `reclaim`.
   */
  claim(id: string, payload: string, expiresAt: number, user?: string, claimer?: string): Promise<boolean>;
  /**
   * Asks again for a claim whose `claim` failed without an answer (it may have landed): true if the id is free or
   * expired, or if its claim is `claimer`'s own and still pending — a first try that landed unseen is won, not lost.
   */
  reclaim(id: string, payload: string, expiresAt: number, user: string | undefined, claimer: string): Promise<boolean>;
  /** Records that the claim's answer wrote this Slack message (so a taker deletes only those). No-op for unknown/completed ids. */
  noteWritten(id: string, ts: string): Promise<void>;
  /** Answered (or given up on): never taken by takeStale again; payload, user and written go, the claim blocks redeliveries until it expires. */
  complete(id: string): Promise<void>;
  /** Heartbeat: re-stamps these pending claims with the STORE's clock. */
  touch(ids: string[]): Promise<void>;
  /** Takes pending claims not stamped for staleMs (by the store's clock), re-stamping them so one taker gets each. */
  takeStale(staleMs: number): Promise<PendingClaim[]>;
}

/** One question at a time per thread, across instances, in the order asked. */
export interface ThreadLeases {
  /**
   * Asks for the lease as `token` for ttlMs; it goes to the lowest `order` waiting (order is required). True when
   * granted, also when `token` holds it already (a request that landed unseen, asked again): then it is extended.
   * The caller picks the token and keeps it for every request of one waiter.
   */
  lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean>;
  /** Extends a lease `token` still holds to `ttlMs` from now; false if it lapsed or went to someone else. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases the lease, only if `token` still holds it. */
  unlock(key: string, token: string): Promise<void>;
}

/** Erasure on request (`npm run forget`). */
export interface HistoryEraser {
  /** Deletes one thread's history. */
  deleteThread(key: string): Promise<void>;
  /** Deletes every thread the user took part in AND every pending claim they made (claims hold their question); returns threads deleted. */
  deleteUser(user: string): Promise<number>;
}

/** Running totals that expire, shared by every instance (the daily spend budgets). */
export interface UsageCounters {
  /** Adds `amount` to `key` (from 0 when absent or expired), moves its expiry to `expiresAt`; returns the new total. */
  addUsage(key: string, amount: number, expiresAt: number): Promise<number>;
  /** The totals of `keys`, in order: 0 for a key absent or expired. */
  usage(keys: string[]): Promise<number[]>;
}

/** Everything a backend provides. */
export interface ThreadStore extends ThreadHistory, ClaimBook, ThreadLeases, HistoryEraser, UsageCounters {
  /** The support desk's records (thread decisions, feedback, questions). */
  readonly desk: DeskBook;
  /** Cheap round trip proving the store answers (readiness probes). Rejects when it does not. */
  ping(): Promise<void>;
  /** Releases connections and timers; later calls reject with StoreError. */
  close(): Promise<void>;
}
