import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite-store';
import { runStoreContract } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A nested path also shows the store creating the parent directories.
runStoreContract('sqlite', () => SqliteStore.create(join(dir, 'nested', 'contract.db')));

describe('sqlite: one file, several store objects', () => {
  const file = join(dir, 'shared.db');
  const turn = { role: 'user' as const, text: 'kept on disk', ts: '1.1', user: 'U1' };

  it('keeps history across closing and reopening', async () => {
    const first = await SqliteStore.create(file);
    await first.append('T:C:1', [turn], Date.now() + 60_000);
    await first.close();
    const second = await SqliteStore.create(file);
    expect(await second.load('T:C:1')).toEqual([turn]);
    await second.close();
  });

  it("lets two stores on one file see each other's claims, leases and turns", async () => {
    const [a, b] = await Promise.all([SqliteStore.create(file), SqliteStore.create(file)]);
    expect(await a.claim('T:C:2', 'p', Date.now() + 60_000)).toBe(true);
    expect(await b.claim('T:C:2', 'p', Date.now() + 60_000)).toBe(false);
    expect(await a.lock('T:C:2', 'a', 60_000, 1)).toBe(true);
    expect(await b.lock('T:C:2', 'b', 60_000, 2)).toBe(false);
    await b.append('T:C:2', [turn], Date.now() + 60_000);
    expect(await a.load('T:C:2')).toEqual([turn]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('sqlite: write-ahead log', () => {
  // Checkpoints run after answers complete, not inside a later question's claim; the log must still not grow.
  it('copies the log into the database as answers complete, so the log file stays small', async () => {
    const file = join(dir, 'wal.db');
    const store = await SqliteStore.create(file);
    const text = 'an answer of about a kilobyte '.repeat(35);
    for (let n = 0; n < 300; n++) {
      const id = `T:D${n}:1.${n}`;
      await store.claim(id, JSON.stringify({ text }), Date.now() + 60_000);
      await store.append(`T:D${n}:1`, [{ role: 'assistant', text, ts: `1.${n}` }], Date.now() + 60_000);
      await store.complete(id);
      await new Promise(setImmediate); // other I/O between questions, as in the bot
    }
    // 300 answers write ~12 MB of log; checkpointed every 50, the file is reused from its start.
    expect(statSync(`${file}-wal`).size).toBeLessThan(4 * 2 ** 20);
    await store.close();
  });
});

describe('sqlite: answered questions', () => {
  it('keeps the claim that blocks a redelivery but not the question, asker or writes it carried', async () => {
    const file = join(dir, 'claims.db');
    const store = await SqliteStore.create(file);
    await store.claim('T:C:9', 'my salary question', Date.now() + 60_000, 'U9');
    await store.noteWritten('T:C:9', '1700000000.000100');
    await store.claim('T:C:8', 'my other question', Date.now() + 60_000, 'U8');
    await store.complete('T:C:9');
    await store.deleteUser('U8');
    expect(await store.claim('T:C:9', 'again', Date.now() + 60_000)).toBe(false);
    await store.close();
    const db = new DatabaseSync(file);
    expect(db.prepare('SELECT payload, user_id, written FROM claims').all()).toEqual([
      { payload: '', user_id: null, written: '[]' },
      { payload: '', user_id: null, written: '[]' },
    ]);
    db.close();
  });
});

describe('sqlite: file from an older release', () => {
  it('adds the claim columns it lacks', async () => {
    const file = join(dir, 'old.db');
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE claims (id TEXT PRIMARY KEY, payload TEXT NOT NULL, claimed_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID`);
    db.close();
    const store = await SqliteStore.create(file);
    expect(await store.claim('T:C:1', 'p', Date.now() + 60_000, 'U1')).toBe(true);
    await store.close();
  });

  it('adds the turn columns it lacks, keeping the turns stored before', async () => {
    const file = join(dir, 'old-turns.db');
    const before = { role: 'user' as const, text: 'stored before', ts: '1.1', user: 'U1' };
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE threads (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE turns (id INTEGER PRIMARY KEY, thread_key TEXT NOT NULL REFERENCES threads (key) ON DELETE CASCADE,
        user_id TEXT, data TEXT NOT NULL)`);
    db.prepare('INSERT INTO threads VALUES (?, ?)').run('T:C:1', Date.now() + 60_000);
    db.prepare('INSERT INTO turns (thread_key, user_id, data) VALUES (?, ?, ?)').run(
      'T:C:1',
      'U1',
      JSON.stringify(before),
    );
    db.close();
    const store = await SqliteStore.create(file);
    const after = { role: 'assistant' as const, text: 'stored after', ts: '1.2' };
    await store.append('T:C:1', [after], Date.now() + 60_000);
    await store.append('T:C:1', [after], Date.now() + 60_000);
    expect(await store.load('T:C:1')).toEqual([before, after]);
    await store.close();
  });
});
