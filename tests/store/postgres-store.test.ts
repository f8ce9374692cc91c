import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { StoreError } from '../../src/errors';
import { PostgresStore } from '../../src/store/postgres-store';
import { POSTGRES_PORT, postgresScratch, type Scratch } from '../helpers/scratch-stores';
import { TcpProxy } from '../helpers/tcp-proxy';
import { runCapacityContract } from './capacity-contract';
import { runStoreContract } from './contract';

// Each case gets its own schema, dropped at the end, so parallel runs never collide.
const scratches: Scratch[] = [];
const url = (label: string, port?: number) => {
  const scratch = postgresScratch(`test_pg_${label}`);
  scratches.push(scratch);
  return scratch.url(port);
};
afterAll(() => Promise.all(scratches.map((scratch) => scratch.drop())));

/** Runs `sql` against the scratch schema named in `storeUrl`, through a plain client. */
async function inspect(storeUrl: string, sql: string): Promise<unknown[]> {
  const schema = new URL(storeUrl).searchParams.get('schema');
  const client = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const contractUrl = url('contract');
runStoreContract('postgres', () => PostgresStore.create(contractUrl), { serverClock: true });

describe('postgres: answered questions', () => {
  it('keeps the claim that blocks a redelivery but not the question, asker or writes it carried', async () => {
    const done = url('done');
    const store = await PostgresStore.create(done);
    await store.claim('T:C:9', 'my salary question', Date.now() + 60_000, 'U9');
    await store.noteWritten('T:C:9', '1700000000.000100');
    await store.claim('T:C:8', 'my other question', Date.now() + 60_000, 'U8');
    await store.complete('T:C:9');
    await store.deleteUser('U8');
    expect(await store.claim('T:C:9', 'again', Date.now() + 60_000)).toBe(false);
    await store.close();
    expect(await inspect(done, 'SELECT payload, user_id, written FROM claims')).toEqual([
      { payload: '', user_id: null, written: [] },
      { payload: '', user_id: null, written: [] },
    ]);
  });
});

describe('postgres: bursts', () => {
  it('sends the claims made in one tick as one statement, on one connection', async () => {
    const app = `burst_${Date.now()}`;
    const burst = url('burst');
    const store = await PostgresStore.create(`${burst}&application_name=${app}`);
    const ids = Array.from({ length: 40 }, (_, n) => `T:C:${n}`);
    const won = await Promise.all([...ids, ...ids].map((id) => store.claim(id, 'p', Date.now() + 60_000)));
    expect(won.filter(Boolean)).toHaveLength(ids.length);
    // One at a time, the pool would have opened a connection per claim in flight, up to its limit of ten.
    const rows = await inspect(
      url('burst'),
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = '${app}'`,
    );
    expect(rows).toEqual([{ n: 1 }]);
    await store.close();
  });
});

describe('postgres: schema from an older release', () => {
  it('adds the claim columns it lacks', async () => {
    const old = url('old');
    const schema = new URL(old).searchParams.get('schema');
    const client = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".claims (id text PRIMARY KEY,
      payload text NOT NULL, claimed_at bigint NOT NULL, expires_at bigint NOT NULL, done boolean NOT NULL DEFAULT false)`);
    await client.end();
    const store = await PostgresStore.create(old);
    expect(await store.claim('T:C:1', 'p', Date.now() + 60_000, 'U1')).toBe(true);
    await store.close();
  });

  it('adds the turn columns it lacks, keeping the turns stored before', async () => {
    const old = url('old_turns');
    const schema = new URL(old).searchParams.get('schema');
    const before = { role: 'user' as const, text: 'stored before', ts: '1.1', user: 'U1' };
    const client = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}";
      CREATE TABLE threads (key text PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE TABLE turns (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        thread_key text NOT NULL REFERENCES threads (key) ON DELETE CASCADE, user_id text, data text NOT NULL);
      INSERT INTO threads VALUES ('T:C:1', ${Date.now() + 60_000});
      INSERT INTO turns (thread_key, user_id, data) VALUES ('T:C:1', 'U1', '${JSON.stringify(before)}')`);
    await client.end();
    const store = await PostgresStore.create(old);
    const after = { role: 'assistant' as const, text: 'stored after', ts: '1.2' };
    await store.append('T:C:1', [after], Date.now() + 60_000);
    await store.append('T:C:1', [after], Date.now() + 60_000);
    expect(await store.load('T:C:1')).toEqual([before, after]);
    await store.close();
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
    const proxy = new TcpProxy({ host: '127.0.0.1', port: POSTGRES_PORT });
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

const capacityUrl = url('capacity');
runCapacityContract('postgres', () => PostgresStore.create(capacityUrl));
