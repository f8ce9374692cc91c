import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { StoreError } from '../../src/errors';
import { RedisStore } from '../../src/store/redis-store';
import { REDIS_PORT, redisScratch, ThrowawayRedis } from '../helpers/scratch-stores';
import { runCapacityContract } from './capacity-contract';
import { runStoreContract } from './contract';

const scratch = redisScratch('test-redis-store');
const prefix = new URL(scratch.url()).searchParams.get('prefix');
afterAll(() => scratch.drop());

runStoreContract('redis', () => RedisStore.create(scratch.url()), { serverClock: true });

/** A store under its own sub-prefix, and a plain client to look at what it wrote. */
async function inspected(label: string) {
  const store = await RedisStore.create(`redis://127.0.0.1:${REDIS_PORT}?prefix=${prefix}${label}:`);
  const client = await createClient({ url: `redis://127.0.0.1:${REDIS_PORT}` }).connect();
  const key = (name: string) => `${prefix}${label}:${name}`;
  return { store, client, key, close: () => Promise.all([store.close(), client.close()]) };
}

describe('redis: pending set', () => {
  it('drops entries whose claim has expired when taking stale claims', async () => {
    const { store, client, key, close } = await inspected('gc');
    await store.claim('T:C:old', 'p', Date.now() + 100);
    await store.claim('T:C:live', 'p', Date.now() + 60_000);
    await sleep(200);
    await store.takeStale(0);
    expect(await client.zRange(key('pending'), 0, -1)).toEqual(['T:C:live']);
    await close();
  });
});

describe('redis: answered questions', () => {
  it('keeps the claim that blocks a redelivery, with its expiry, but not the question or its writes', async () => {
    const { store, client, key, close } = await inspected('done');
    await store.claim('T:C:9', 'my salary question', Date.now() + 60_000, 'U9');
    await store.noteWritten('T:C:9', '1700000000.000100');
    expect(await client.lRange(key('wr:T:C:9'), 0, -1)).toEqual(['1700000000.000100']);
    await store.complete('T:C:9');
    await store.complete('T:C:unknown');
    expect(await store.claim('T:C:9', 'again', Date.now() + 60_000)).toBe(false);
    expect(await client.get(key('c:T:C:9'))).toBe('');
    expect(await client.pTTL(key('c:T:C:9'))).toBeGreaterThan(50_000);
    expect(await client.exists([key('c:T:C:unknown'), key('wr:T:C:9')])).toBe(0);
    await close();
  });

  it("erases a user's pending question and its index", async () => {
    const { store, client, key, close } = await inspected('erase');
    await store.claim('T:C:8', 'my salary question', Date.now() + 60_000, 'U8');
    await store.deleteUser('U8');
    expect(await client.get(key('c:T:C:8'))).toBe('');
    expect(await client.exists(key('uc:U8'))).toBe(0);
    await close();
  });
});

describe('redis: outages', () => {
  let server: ThrowawayRedis;
  beforeAll(async () => {
    server = await ThrowawayRedis.start();
  });
  afterAll(() => server.kill());

  /** Resolves with how long `operation` took to reject with a StoreError. */
  const rejectionTime = async (operation: () => Promise<unknown>) => {
    const started = Date.now();
    await expect(operation()).rejects.toBeInstanceOf(StoreError);
    return Date.now() - started;
  };

  it('fails fast while Redis is down and recovers by itself when it is back', async () => {
    const warn = jest.fn();
    const url = `redis://127.0.0.1:${server.port}`;
    const store = await RedisStore.create(url, { logger: { warn } });
    const closedDuringOutage = await RedisStore.create(url);
    expect(await store.claim('T:C:1', 'p', Date.now() + 60_000)).toBe(true);

    await server.kill();
    const closing = Date.now();
    await closedDuringOutage.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    for (const operation of [() => store.load('T:C:1'), () => store.claim('T:C:2', 'p', Date.now() + 60_000)]) {
      expect(await rejectionTime(operation)).toBeLessThan(2000);
    }
    await sleep(1500);
    expect(await rejectionTime(() => store.ping())).toBeLessThan(2000);

    await server.start();
    const deadline = Date.now() + 5000;
    let loaded: unknown;
    while (Date.now() < deadline && !loaded) {
      await sleep(50);
      loaded = await store.load('T:C:1').catch(() => undefined);
    }
    expect(loaded).toEqual([]);
    expect(await store.claim('T:C:1', 'p', Date.now() + 60_000)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('times a command out when Redis hangs', async () => {
    const store = await RedisStore.create(`redis://127.0.0.1:${server.port}`);
    server.freeze(true);
    try {
      expect(await rejectionTime(() => store.load('T:C:1'))).toBeLessThan(2500);
    } finally {
      server.freeze(false);
    }
    expect(await store.load('T:C:1')).toEqual([]);
    await store.close();
  });
});

runCapacityContract('redis', () => RedisStore.create(scratch.url()));
