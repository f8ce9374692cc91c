import type { Turn } from '../conversation/turn';

export type { Turn };

/** A question claimed by an instance and not yet answered. */
export interface PendingClaim {
  /** The claim id, `team:channel:ts` of the question. */
  id: string;
  /** Whatever the claimer stored to answer it again (JSON of the message). */
  payload: string;
  /** When it was (last) claimed, epoch ms. */
  claimedAt: number;
}

/**
 * Where the bot keeps thread history, message claims and thread leases. Keys are `team:channel:thread_ts`.
 * Every expiry is an absolute epoch-ms timestamp and is enforced by the backend itself.
 */
export interface ThreadStore {
  /** The thread's turns, oldest first; `[]` for an unknown or expired thread. */
  load(key: string): Promise<Turn[]>;
  /** Appends turns in order and moves the whole thread's expiry to `expiresAt`. */
  append(key: string, turns: Turn[], expiresAt: number): Promise<void>;
  /** Claims a message id until `expiresAt`, storing `payload`; true only for the first claimer. Atomic. */
  claim(id: string, payload: string, expiresAt: number): Promise<boolean>;
  /**
   * Marks a claimed message as answered (or given up on): it will not be picked up by `takeStale`, and its payload
   * (the question) is dropped; the claim itself stays until it expires, to keep blocking redeliveries.
   */
  complete(id: string): Promise<void>;
  /** Heartbeat: re-stamps the pending claims among `ids` with `now`, so takeStale leaves them to their owner. */
  touch(ids: string[], now: number): Promise<void>;
  /**
   * Takes over pending (claimed, never completed) messages claimed between `notBefore` and `staleBefore`,
   * re-stamping them with `now` so that one taker only gets each. Used to answer questions a dead instance left.
   */
  takeStale(staleBefore: number, notBefore: number, now: number): Promise<PendingClaim[]>;
  /**
   * Takes the thread's lease for `ttlMs`; returns a token, or null while someone else holds it. With `order` (the
   * question's place in the thread), the lease goes to the lowest order waiting: a refused call puts `order` in the
   * thread's waiting line for `ttlMs` (each call renews that), and a lower order waiting there comes first.
   */
  lock(key: string, ttlMs: number, order?: number): Promise<string | null>;
  /** Extends a lease `token` still holds to `ttlMs` from now; false if it expired or went to someone else. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases a lease taken with `lock`, only if `token` still holds it. */
  unlock(key: string, token: string): Promise<void>;
  /** Deletes one thread's history. */
  deleteThread(key: string): Promise<void>;
  /** Deletes every thread one user took part in; returns how many threads were deleted. */
  deleteUser(user: string): Promise<number>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

// INTERIM (replaced when the store refactor lands)
export interface ThreadHistory {
  load(key: string): Promise<Turn[]>;
  append(key: string, turns: Turn[], expiresAt: number): Promise<void>;
  has(key: string): Promise<boolean>;
}
export interface ClaimBook {
  claim(id: string, payload: string, expiresAt: number, user?: string): Promise<boolean>;
  noteWritten(id: string, ts: string): Promise<void>;
  complete(id: string): Promise<void>;
  touch(ids: string[]): Promise<void>;
  takeStale(staleMs: number): Promise<Array<PendingClaim & { written: string[] }>>;
}
export interface ThreadLeases {
  lock(key: string, ttlMs: number, order: number): Promise<string | null>;
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  unlock(key: string, token: string): Promise<void>;
}
