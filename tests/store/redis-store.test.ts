import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { StoreError } from '../../src/errors';
import { RedisStore } from '../../src/store/redis-store';
import { runStoreContract } from './contract';

const prefix = `test:${randomUUID().slice(0, 8)}:`;

afterAll(async () => {
  const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
});

runStoreContract('redis', () => RedisStore.create(`redis://127.0.0.1:6379?prefix=${prefix}`));

describe('redis: pending set', () => {
  it('drops entries whose claim has expired when taking stale claims', async () => {
    const store = await RedisStore.create(`redis://127.0.0.1:6379?prefix=${prefix}gc:`);
    const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
    await store.claim('T:C:old', 'p', Date.now() + 100);
    await store.claim('T:C:live', 'p', Date.now() + 60_000);
    await sleep(200);
    await store.takeStale(Date.now(), Date.now(), Date.now());
    expect(await client.zRange(`${prefix}gc:pending`, 0, -1)).toEqual(['T:C:live']);
    await Promise.all([store.close(), client.close()]);
  });
});

describe('redis: answered questions', () => {
  it('keeps the claim that blocks a redelivery, with its expiry, but not the question it carried', async () => {
    const store = await RedisStore.create(`redis://127.0.0.1:6379?prefix=${prefix}done:`);
    const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
    await store.claim('T:C:9', 'my salary question', Date.now() + 60_000);
    await store.complete('T:C:9');
    await store.complete('T:C:unknown');
    expect(await store.claim('T:C:9', 'again', Date.now() + 60_000)).toBe(false);
    expect(await client.get(`${prefix}done:c:T:C:9`)).toBe('');
    expect(await client.pTTL(`${prefix}done:c:T:C:9`)).toBeGreaterThan(50_000);
    expect(await client.exists(`${prefix}done:c:T:C:unknown`)).toBe(0);
    await Promise.all([store.close(), client.close()]);
  });
});

describe('redis: outages', () => {
  let port: number;
  let server: ChildProcess | undefined;

  const startServer = async () => {
    server = spawn('redis-server', ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    for await (const chunk of server.stdout!) if (String(chunk).includes('Ready to accept connections')) break;
  };
  const stopServer = async () => {
    server!.kill('SIGKILL');
    await once(server!, 'exit');
  };
  /** Resolves with how long `operation` took to reject with a StoreError. */
  const rejectionTime = async (operation: () => Promise<unknown>) => {
    const started = Date.now();
    await expect(operation()).rejects.toBeInstanceOf(StoreError);
    return Date.now() - started;
  };

  beforeAll(async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    port = (probe.address() as { port: number }).port;
    probe.close();
    await startServer();
  });
  afterAll(() => {
    server?.kill('SIGKILL');
  });

  it('fails fast while Redis is down and recovers by itself when it is back', async () => {
    const warn = jest.fn();
    const store = await RedisStore.create(`redis://127.0.0.1:${port}`, { logger: { warn } });
    const closedDuringOutage = await RedisStore.create(`redis://127.0.0.1:${port}`);
    expect(await store.claim('T:C:1', 'p', Date.now() + 60_000)).toBe(true);

    await stopServer();
    const closing = Date.now();
    await closedDuringOutage.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    for (const operation of [() => store.load('T:C:1'), () => store.claim('T:C:2', 'p', Date.now() + 60_000)]) {
      expect(await rejectionTime(operation)).toBeLessThan(2000);
    }
    await sleep(1500);
    expect(await rejectionTime(() => store.lock('T:C:1', 1000))).toBeLessThan(2000);

    await startServer();
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
    const store = await RedisStore.create(`redis://127.0.0.1:${port}`);
    server!.kill('SIGSTOP');
    try {
      expect(await rejectionTime(() => store.load('T:C:1'))).toBeLessThan(2500);
    } finally {
      server!.kill('SIGCONT');
    }
    expect(await store.load('T:C:1')).toEqual([]);
    await store.close();
  });
});
