import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { StoreError } from '../../src/errors';
import { PostgresStore } from '../../src/store/postgres-store';
import { TcpProxy } from '../helpers/tcp-proxy';
import { runStoreContract } from './contract';

// Each run gets its own schemas, dropped at the end, so parallel runs never collide.
const run = randomUUID().slice(0, 8);
const schemas: string[] = [];
const url = (label: string, port = 5432) => {
  schemas.push(`test_${run}_${label}`);
  return `postgres://postgres@127.0.0.1:${port}/test?schema=test_${run}_${label}`;
};

afterAll(async () => {
  const client = new Client('postgres://postgres@127.0.0.1:5432/test');
  await client.connect();
  for (const schema of new Set(schemas)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const contractUrl = url('contract');
runStoreContract('postgres', () => PostgresStore.create(contractUrl));

describe('postgres: answered questions', () => {
  it('keeps the claim that blocks a redelivery but not the question it carried', async () => {
    const store = await PostgresStore.create(url('done'));
    await store.claim('T:C:9', 'my salary question', Date.now() + 60_000);
    await store.complete('T:C:9');
    expect(await store.claim('T:C:9', 'again', Date.now() + 60_000)).toBe(false);
    await store.close();
    const client = new Client('postgres://postgres@127.0.0.1:5432/test');
    await client.connect();
    const { rows } = await client.query(`SELECT payload FROM "test_${run}_done".claims`);
    await client.end();
    expect(rows).toEqual([{ payload: '' }]);
  });
});

describe('postgres: setup', () => {
  it('lets instances starting at once on a fresh schema all succeed', async () => {
    const fresh = url('fresh');
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.create(fresh)));
    expect(await stores[0]!.claim('T:C:1', 'p', Date.now() + 60_000)).toBe(true);
    expect(await stores[3]!.claim('T:C:1', 'p', Date.now() + 60_000)).toBe(false);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresStore.create('postgres://postgres@127.0.0.1/test?schema=a;drop')).rejects.toThrow(StoreError);
  });
});

describe('postgres: outages', () => {
  it('fails fast while the server is unreachable and recovers by itself', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    await proxy.start();
    const warn = jest.fn();
    const store = await PostgresStore.create(url('outage', proxy.port), { logger: { warn } });
    await store.append('T:C:1', [{ role: 'user', text: 'hi', ts: '1.1', user: 'U1' }], Date.now() + 60_000);

    // Several idle pooled connections, each of which will report its loss as a pool 'error' event.
    await Promise.all([store.load('T:C:1'), store.load('T:C:1'), store.load('T:C:1')]);

    await proxy.stop();
    await sleep(100);
    for (const operation of [() => store.load('T:C:1'), () => store.claim('T:C:2', 'p', Date.now() + 60_000)]) {
      const started = Date.now();
      await expect(operation()).rejects.toBeInstanceOf(StoreError);
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect(warn).toHaveBeenCalledTimes(1);

    await proxy.start();
    await sleep(50);
    expect(await store.load('T:C:1')).toHaveLength(1);
    await store.close();
    await proxy.stop();
  });
});
