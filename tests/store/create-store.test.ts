import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { StoreError } from '../../src/errors';
import { createStore } from '../../src/store/create-store';
import { MemoryStore } from '../../src/store/memory-store';
import { PostgresStore } from '../../src/store/postgres-store';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import { scratchDir } from '../helpers/scratch-dir';
import { postgresScratch, redisScratch } from '../helpers/scratch-stores';

const dir = scratchDir('create-store');
const redis = redisScratch('test-create');
const postgres = postgresScratch('test_create');
afterAll(() => Promise.all([redis.drop(), postgres.drop()]));

/** Expects `url` to be refused with a StoreError within `withinMs`, and returns the error. */
async function refused(url: string, withinMs = 3000): Promise<StoreError> {
  const started = Date.now();
  const error = await createStore(url).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(Date.now() - started).toBeLessThan(withinMs);
  return error as StoreError;
}

describe('createStore', () => {
  it.each([
    ['memory://', MemoryStore],
    [`sqlite://${join(dir, 'absolute.db')}`, SqliteStore],
    [`sqlite://${relative(process.cwd(), join(dir, 'a', 'relative.db'))}`, SqliteStore],
    [`sqlite:${relative(process.cwd(), join(dir, 'short.db'))}`, SqliteStore],
    [redis.url(), RedisStore],
    [postgres.url(), PostgresStore],
    [postgres.url().replace(/^postgres:/, 'postgresql:'), PostgresStore],
  ])('routes %s to its backend', async (url, backend) => {
    const store = await createStore(url);
    expect(store).toBeInstanceOf(backend);
    expect(await store.claim(`create:${Date.now()}:${Math.random()}`, 'p', Date.now() + 1000)).toBe(true);
    await store.close();
  });

  it('creates sqlite files where the URL says', async () => {
    await (await createStore(`sqlite://${join(dir, 'abs', 'where.db')}`)).close();
    await (await createStore(`sqlite:${relative(process.cwd(), join(dir, 'rel', 'where.db'))}`)).close();
    expect(existsSync(join(dir, 'abs', 'where.db'))).toBe(true);
    expect(existsSync(join(dir, 'rel', 'where.db'))).toBe(true);
  });

  it.each(['mongodb://localhost/db', 'not a url', '', '/var/lib/bot.db', 'sqlite:', 'redis://[::1'])(
    'refuses %j naming STORE_URL',
    async (url) => {
      expect((await refused(url)).message).toMatch(/STORE_URL/);
    },
  );

  it('rejects quickly when Redis is unreachable, without leaking the password', async () => {
    const error = await refused('redis://bot:s3cret@127.0.0.1:6390');
    expect(error.message).not.toContain('s3cret');
    expect(error.cause).toBeDefined();
  });

  it('rejects quickly when Postgres is unreachable, without leaking the password', async () => {
    const error = await refused('postgres://postgres:s3cret@127.0.0.1:5439/test');
    expect(error.message).not.toContain('s3cret');
    expect(error.cause).toBeDefined();
  });

  it.each([
    'redis://bot:pa55/w0rd@127.0.0.1:6390',
    'redis://bot:pa55@w0rd@127.0.0.1:6390',
    'redis://127.0.0.1:6390?password=pa55w0rd',
    'postgres://postgres:pa55/w0rd@127.0.0.1:5439/test',
    'postgres://postgres:pa55@w0rd@127.0.0.1:5439/test',
    'postgres://postgres@127.0.0.1:5439/test?password=pa55w0rd',
    'postgres://postgres@127.0.0.1:5439/test?sslmode=disable&password=pa55w0rd',
    'mongodb://bot:pa55/w0rd@127.0.0.1/db',
  ])('never shows any part of the password in %s', async (url) => {
    expect((await refused(url)).message).not.toMatch(/pa55|w0rd/);
  });

  it('rejects quickly when the server accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    try {
      await refused(`redis://127.0.0.1:${port}`);
      await refused(`postgres://postgres@127.0.0.1:${port}/test`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
