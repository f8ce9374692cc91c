import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { type Turn, turnId } from '../conversation/turn';
import { StoreError } from '../errors';
import type { CapacityLeases } from './capacity-leases';
import type { DeskBook } from './desk-book';
import { RedisDesk } from './redis-desk';
import * as scripts from './redis-scripts';
import { RedisUsage } from './redis-usage';
import type { StoreOptions } from './store-options';
import { redactStoreUrl } from './store-url';
import type { PendingClaim, ThreadStore } from './thread-store';

type Client = RedisClientType;
/** A claim as TAKE_STALE returns it: id, payload, the server's stamp, written ts oldest first. */
type TakenClaim = [string, string, number, string[]];

// node-redis times a command out only until it is written; a server that stops answering needs our own limit.
const TIMEOUT_MS = 1500;

/**
 * A store shared by several instances (`redis://host:port/db?prefix=ssb:`); every key starts with `prefix`.
 * A thread is a list of JSON turns, with the set of their ids (turnId) so that a turn is stored once; claims are
 * `SET NX PXAT` keys plus a pending set scored by the server's clock.
 */
export class RedisStore implements ThreadStore, CapacityLeases {
  readonly #client: Client;
  readonly #prefix: string;
  readonly desk: DeskBook;
  readonly #usage: RedisUsage;

  private constructor(client: Client, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
    this.desk = new RedisDesk(
      client,
      (name) => `${prefix}${name}`,
      (operation) => this.#do(operation),
    );
    this.#usage = new RedisUsage(client, prefix);
  }

  /** Connects, failing fast (with StoreError) if Redis is unreachable; later outages are retried forever. */
  static async create(url: string, options: StoreOptions = {}): Promise<RedisStore> {
    const parsed = new URL(url);
    const prefix = parsed.searchParams.get('prefix') ?? 'ssb:';
    parsed.search = '';
    let connected = false;
    let down = false;
    const client = createClient({
      url: parsed.toString(),
      disableOfflineQueue: true,
      commandsQueueMaxLength: 10_000,
      socket: {
        connectTimeout: TIMEOUT_MS,
        // Until the first connection, give up at once so that create() reports an unreachable server.
        reconnectStrategy: (retries) => (connected ? Math.min(50 * 2 ** retries, 1000) : false),
      },
    });
    // Without an 'error' listener the client's reconnect errors would crash the process; log once per outage.
    client.on('error', (error: Error) => {
      if (connected && !down)
        options.logger?.warn('Redis store: connection lost, reconnecting', { error: error.message });
      down = connected;
    });
    client.on('ready', () => (down = false));
    try {
      await withTimeout(client.connect());
    } catch (cause) {
      client.destroy();
      throw new StoreError(`Redis store: cannot connect to ${redactStoreUrl(url)}: ${(cause as Error).message}`, {
        cause,
      });
    }
    connected = true;
    return new RedisStore(client, prefix);
  }

  load(key: string): Promise<Turn[]> {
    return this.#do(async () => (await this.#client.lRange(this.#key('t', key), 0, -1)).map(parseTurn));
  }

  append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    const users = [...new Set(turns.flatMap((turn) => turn.user ?? []))].map((user) => this.#key('u', user));
    const keys = [this.#key('t', key), this.#key('ti', key), ...users];
    const args = [`${expiresAt}`, key, ...turns.flatMap((turn) => [turnId(turn), JSON.stringify(turn)])];
    return this.#do(async () => void (await this.#script(scripts.APPEND, keys, args)));
  }

  has(key: string): Promise<boolean> {
    return this.#do(async () => (await this.#client.exists(this.#key('t', key))) === 1);
  }

  claim(id: string, payload: string, expiresAt: number, user?: string, claimer?: string): Promise<boolean> {
    return this.#claim(scripts.CLAIM, id, payload, expiresAt, user, claimer);
  }

  reclaim(id: string, payload: string, expiresAt: number, user: string | undefined, claimer: string) {
    return this.#claim(scripts.RECLAIM, id, payload, expiresAt, user, claimer);
  }

  #claim(script: scripts.Script, id: string, payload: string, expiresAt: number, user?: string, claimer?: string) {
    const keys = [
      this.#key('c', id),
      this.#key('pending'),
      this.#key('wr', id),
      this.#key('uc', user ?? ''),
      this.#key('cl', id),
    ];
    const args = [payload, `${expiresAt}`, id, user ?? '', claimer ?? ''];
    return this.#do(async () => (await this.#script(script, keys, args)) === 1);
  }

  noteWritten(id: string, ts: string): Promise<void> {
    const keys = [this.#key('c', id), this.#key('pending'), this.#key('wr', id)];
    return this.#do(async () => void (await this.#script(scripts.NOTE_WRITTEN, keys, [id, ts])));
  }

  complete(id: string): Promise<void> {
    // The claim key stays until it expires, to block a redelivery; the question it carried is not kept.
    return this.#do(
      async () =>
        void (await this.#client
          .multi()
          .zRem(this.#key('pending'), id)
          .set(this.#key('c', id), '', { condition: 'XX', expiration: 'KEEPTTL' })
          .del([this.#key('wr', id), this.#key('cl', id)])
          .exec()),
    );
  }

  touch(ids: string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.#do(async () => void (await this.#script(scripts.TOUCH, [this.#key('pending')], ids)));
  }

  takeStale(staleMs: number): Promise<PendingClaim[]> {
    const args = [`${Math.floor(staleMs)}`, this.#key('c', ''), this.#key('wr', '')];
    return this.#do(async () => {
      const taken = (await this.#script(scripts.TAKE_STALE, [this.#key('pending')], args)) as TakenClaim[];
      return taken.map(([id, payload, claimedAt, written]) => ({ id, payload, claimedAt, written }));
    });
  }

  lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean> {
    const keys = [this.#key('l', key), this.#key('w', key)];
    const args = [token, `${Math.ceil(ttlMs)}`, `${order}`];
    return this.#do(async () => (await this.#script(scripts.LOCK, keys, args)) === 1);
  }

  renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const args = [token, `${Math.ceil(ttlMs)}`];
    return this.#do(async () => (await this.#script(scripts.RENEW, [this.#key('l', key)], args)) === 1);
  }

  unlock(key: string, token: string): Promise<void> {
    return this.#do(async () => void (await this.#script(scripts.UNLOCK, [this.#key('l', key)], [token])));
  }

  deleteThread(key: string): Promise<void> {
    return this.#do(async () => void (await this.#client.del([this.#key('t', key), this.#key('ti', key)])));
  }

  deleteUser(user: string): Promise<number> {
    const keys = [this.#key('u', user), this.#key('uc', user), this.#key('pending')];
    const args = [this.#key('t', ''), this.#key('c', ''), this.#key('wr', ''), user, this.#key('ti', '')];
    return this.#do(async () => (await this.#script(scripts.DELETE_USER, keys, args)) as number);
  }

  addUsage(key: string, amount: number, expiresAt: number): Promise<number> {
    return this.#do(() => this.#usage.add(key, amount, expiresAt));
  }

  usage(keys: string[]): Promise<number[]> {
    return this.#do(() => this.#usage.totals(keys));
  }

  ping(): Promise<void> {
    return this.#do(async () => void (await this.#client.ping()));
  }

  takeCapacity(team: string, method: string, want: number, limit: number, holdMs: number): Promise<number> {
    const keys = [this.#key('cap', `${team}:${method}`)];
    const args = [`${Math.floor(want)}`, `${Math.floor(limit)}`, `${Math.ceil(holdMs)}`, randomUUID()];
    return this.#do(async () => Number(await this.#script(scripts.TAKE_CAPACITY, keys, args)));
  }

  returnCapacity(team: string, method: string, slots: number, holdMs: number): Promise<void> {
    const keys = [this.#key('cap', `${team}:${method}`)];
    const args = [`${Math.floor(slots)}`, `${Math.floor(holdMs)}`, randomUUID()];
    return this.#do(async () => void (await this.#script(scripts.RETURN_CAPACITY, keys, args)));
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
  }

  /**
   * `prefix` + `t:` thread list, `ti:` its turn ids, `u:` user's threads, `c:` claim, `wr:` its written list,
   * `cl:` its claimer, `uc:` user's claims, `l:` lease, `w:` its waiting line, `cap:` a workspace method's capacity grants, or
   * `pending`; `n:` usage counters belong to redis-usage.ts.
   */
  #key(kind: 't' | 'ti' | 'u' | 'c' | 'wr' | 'cl' | 'uc' | 'l' | 'w' | 'cap' | 'pending', id?: string): string {
    return id === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${id}`;
  }

  async #script({ source, sha }: scripts.Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error;
      return this.#client.eval(source, { keys, arguments: args });
    }
  }

  async #do<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(operation());
    } catch (cause) {
      throw new StoreError(`Redis store: ${(cause as Error).message}`, { cause });
    }
  }
}

/** Settles like `promise`, or rejects after TIMEOUT_MS if Redis (or the network) stopped answering. */
async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const parseTurn = (json: string) => JSON.parse(json) as Turn;
