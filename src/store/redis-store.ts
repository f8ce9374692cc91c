import { randomUUID } from 'node:crypto';
import type { RedisClientType } from 'redis';
import { type Turn, turnId } from '../conversation/turn';
import type { CapacityLeases } from './capacity-leases';
import type { DeskBook } from './desk-book';
import { callRedis, connectRedis, scriptRunner } from './redis-connection';
import { RedisDesk } from './redis-desk';
import * as scripts from './redis-scripts';
import { RedisUsage } from './redis-usage';
import type { StoreOptions } from './store-options';
import type { PendingClaim, ThreadStore } from './thread-store';

/**
 * A store shared by several instances (`redis://host:port/db?prefix=ssb:`); every key starts with `prefix`.
 * A thread is a list of JSON turns, with the set of their ids (turnId) so that a turn is stored once; claims are
 * `SET NX PXAT` keys plus a pending set scored by the server's clock.
 */
export class RedisStore implements ThreadStore, CapacityLeases {
  readonly #client: RedisClientType;
  readonly #prefix: string;
  readonly #script: ReturnType<typeof scriptRunner>;
  readonly desk: DeskBook;
  readonly #usage: RedisUsage;

  private constructor(client: RedisClientType, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
    this.#script = scriptRunner(client);
    this.desk = new RedisDesk(client, (name) => `${prefix}${name}`, callRedis);
    this.#usage = new RedisUsage(client, prefix);
  }

  /** Connects, failing fast (with StoreError) if Redis is unreachable; later outages are retried forever. */
  static async create(url: string, options: StoreOptions = {}): Promise<RedisStore> {
    const prefix = new URL(url).searchParams.get('prefix') ?? 'ssb:';
    return new RedisStore(await connectRedis(url, options), prefix);
  }

  load(key: string): Promise<Turn[]> {
    return callRedis(async () => (await this.#client.lRange(this.#key('t', key), 0, -1)).map(parseTurn));
  }

  append(key: string, turns: Turn[], expiresAt: number): Promise<void> {
    const users = [...new Set(turns.flatMap((turn) => turn.user ?? []))].map((user) => this.#key('u', user));
    const keys = [this.#key('t', key), this.#key('ti', key), ...users];
    const args = [`${expiresAt}`, key, ...turns.flatMap((turn) => [turnId(turn), JSON.stringify(turn)])];
    return callRedis(async () => void (await this.#script(scripts.APPEND, keys, args)));
  }

  has(key: string): Promise<boolean> {
    return callRedis(async () => (await this.#client.exists(this.#key('t', key))) === 1);
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
    return callRedis(async () => (await this.#script(script, keys, args)) === 1);
  }

  noteWritten(id: string, ts: string): Promise<void> {
    const keys = [this.#key('c', id), this.#key('pending'), this.#key('wr', id)];
    return callRedis(async () => void (await this.#script(scripts.NOTE_WRITTEN, keys, [id, ts])));
  }

  complete(id: string): Promise<void> {
    // The claim key stays until it expires, to block a redelivery; the question it carried is not kept.
    return callRedis(
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
    return callRedis(async () => void (await this.#script(scripts.TOUCH, [this.#key('pending')], ids)));
  }

  takeStale(staleMs: number): Promise<PendingClaim[]> {
    const args = [`${Math.floor(staleMs)}`, this.#key('c', ''), this.#key('wr', '')];
    return callRedis(async () => {
      const taken = (await this.#script(scripts.TAKE_STALE, [this.#key('pending')], args)) as scripts.TakenClaim[];
      return taken.map(([id, payload, claimedAt, written]) => ({ id, payload, claimedAt, written }));
    });
  }

  lock(key: string, token: string, ttlMs: number, order: number): Promise<boolean> {
    const keys = [this.#key('l', key), this.#key('w', key)];
    const args = [token, `${Math.ceil(ttlMs)}`, `${order}`];
    return callRedis(async () => (await this.#script(scripts.LOCK, keys, args)) === 1);
  }

  renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const args = [token, `${Math.ceil(ttlMs)}`];
    return callRedis(async () => (await this.#script(scripts.RENEW, [this.#key('l', key)], args)) === 1);
  }

  unlock(key: string, token: string): Promise<void> {
    return callRedis(async () => void (await this.#script(scripts.UNLOCK, [this.#key('l', key)], [token])));
  }

  deleteThread(key: string): Promise<void> {
    return callRedis(async () => void (await this.#client.del([this.#key('t', key), this.#key('ti', key)])));
  }

  deleteUser(user: string): Promise<number> {
    const keys = [this.#key('u', user), this.#key('uc', user), this.#key('pending')];
    const args = [this.#key('t', ''), this.#key('c', ''), this.#key('wr', ''), user, this.#key('ti', '')];
    return callRedis(async () => (await this.#script(scripts.DELETE_USER, keys, args)) as number);
  }

  addUsage(key: string, amount: number, expiresAt: number): Promise<number> {
    return callRedis(() => this.#usage.add(key, amount, expiresAt));
  }

  usage(keys: string[]): Promise<number[]> {
    return callRedis(() => this.#usage.totals(keys));
  }

  ping(): Promise<void> {
    return callRedis(async () => void (await this.#client.ping()));
  }

  takeCapacity(team: string, method: string, want: number, limit: number, holdMs: number): Promise<number> {
    const keys = [this.#key('cap', `${team}:${method}`)];
    const args = [`${Math.floor(want)}`, `${Math.floor(limit)}`, `${Math.ceil(holdMs)}`, randomUUID()];
    return callRedis(async () => Number(await this.#script(scripts.TAKE_CAPACITY, keys, args)));
  }

  returnCapacity(team: string, method: string, slots: number, holdMs: number): Promise<void> {
    const keys = [this.#key('cap', `${team}:${method}`)];
    const args = [`${Math.floor(slots)}`, `${Math.floor(holdMs)}`, randomUUID()];
    return callRedis(async () => void (await this.#script(scripts.RETURN_CAPACITY, keys, args)));
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
}

const parseTurn = (json: string) => JSON.parse(json) as Turn;
