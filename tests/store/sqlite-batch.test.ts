import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Turn } from '../../src/conversation/turn';
import { StoreError } from '../../src/errors';
import type { QuestionRecord } from '../../src/store/desk-book';
import { SqliteStore } from '../../src/store/sqlite-store';

// The SQLite store commits the calls of one event-loop turn together: these cases hold it to what a caller of a
// store one commit per call could count on (a resolved write is on disk; a failed write takes nothing with it; a
// call sees the calls made before it).

const dir = mkdtempSync(join(tmpdir(), 'sqlite-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const turn = (text: string, ts = '1.1'): Turn => ({ role: 'user', text, ts, user: 'U1' });
const question = (ts: string): QuestionRecord => ({
  thread: 'T:C:1',
  ts,
  channel: 'C',
  context: 'default',
  channelKind: 'dm',
  outcome: 'answered',
  at: Date.now(),
  tokensIn: 10,
  tokensCached: 0,
  tokensOut: 5,
  files: 0,
});

/** What another connection to the file sees now: committed rows only. */
function onDisk(file: string) {
  const db = new DatabaseSync(file, { readOnly: true });
  const count = (sql: string, ...args: string[]) => Number((db.prepare(sql).get(...args) as { n: number }).n);
  return {
    turns: (key: string) => count('SELECT count(*) AS n FROM turns WHERE thread_key = ?', key),
    threads: (key: string) => count('SELECT count(*) AS n FROM threads WHERE key = ?', key),
    claims: (id: string) => count('SELECT count(*) AS n FROM claims WHERE id = ?', id),
    done: (id: string) => count('SELECT count(*) AS n FROM claims WHERE id = ? AND done = 1', id),
    usage: (key: string) => count('SELECT count(*) AS n FROM usage_counters WHERE key = ?', key),
    questions: (ts: string) => count("SELECT count(*) AS n FROM desk_questions WHERE data ->> 'ts' = ?", ts),
    leases: (key: string) => count('SELECT count(*) AS n FROM leases WHERE key = ?', key),
    close: () => db.close(),
  };
}

describe('sqlite: writes made together', () => {
  it('settles each write only once it is committed: another connection sees it by then', async () => {
    const file = join(dir, 'committed.db');
    const store = await SqliteStore.create(file);
    await store.claim('T:C:2', 'p', Date.now() + HOUR);
    await store.lock('T:C:L', 'lease', 60_000, 1);
    const disk = onDisk(file);
    const seen: Record<string, number> = {};
    // All made in one tick, as answers finishing together make them; each looks at the file as it settles.
    await Promise.all([
      store.claim('T:C:1', 'p', Date.now() + HOUR).then(() => (seen.claim = disk.claims('T:C:1'))),
      store
        .append('T:C', [turn('q'), turn('a', '1.2')], Date.now() + HOUR)
        .then(() => (seen.turns = disk.turns('T:C'))),
      store.addUsage('budget:u', 10, Date.now() + HOUR).then(() => (seen.usage = disk.usage('budget:u'))),
      store.complete('T:C:2').then(() => (seen.complete = disk.done('T:C:2'))),
      store.unlock('T:C:L', 'lease').then(() => (seen.leases = disk.leases('T:C:L'))),
      store.desk.recordQuestion(question('9.1'), Date.now() + HOUR).then(() => (seen.question = disk.questions('9.1'))),
    ]);
    expect(seen).toEqual({ claim: 1, turns: 2, usage: 1, complete: 1, leases: 0, question: 1 });
    disk.close();
    await store.close();
  });

  it('undoes a failing write alone: the writes made with it commit, and it leaves nothing behind', async () => {
    const file = join(dir, 'failing.db');
    const store = await SqliteStore.create(file);
    // Its second turn cannot be stored (a BigInt has no JSON): the thread and first turn it wrote must go too.
    const unstorable = { ...turn('answer', '1.2'), tokens: 1n } as unknown as Turn;
    const results = await Promise.allSettled([
      store.append('T:C:good1', [turn('q1')], Date.now() + HOUR),
      store.append('T:C:bad', [turn('q'), unstorable], Date.now() + HOUR),
      store.claim('T:C:claim', 'p', Date.now() + HOUR),
      store.addUsage('budget:bad', Number.NaN, Date.now() + HOUR), // NOT NULL constraint
      store.append('T:C:good2', [turn('q2')], Date.now() + HOUR),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    await store.close();
    const disk = onDisk(file);
    expect([disk.turns('T:C:good1'), disk.turns('T:C:good2'), disk.claims('T:C:claim')]).toEqual([1, 1, 1]);
    expect([disk.threads('T:C:bad'), disk.turns('T:C:bad'), disk.usage('budget:bad')]).toEqual([0, 0, 0]);
    disk.close();
  });

  it('lets a call see the calls made before it in the same tick', async () => {
    const store = await SqliteStore.create(join(dir, 'order.db'));
    await store.lock('T:C:3', 'first', 60_000, 1);
    // Not awaited in between: each read and the second lock are made right after the write they depend on.
    const written = [store.append('T:C:3', [turn('q')], Date.now() + HOUR)];
    const [loaded, has] = [store.load('T:C:3'), store.has('T:C:3')];
    written.push(store.unlock('T:C:3', 'first'));
    const second = store.lock('T:C:3', 'second', 60_000, 2);
    written.push(store.addUsage('budget:o', 5, Date.now() + HOUR).then(() => undefined));
    const total = store.usage(['budget:o']);
    await Promise.all(written);
    expect([await loaded, await has, await second, await total]).toEqual([[turn('q')], true, true, [5]]);
    await store.close();
  });

  it('commits the calls already made when closed', async () => {
    const file = join(dir, 'closing.db');
    const store = await SqliteStore.create(file);
    const written = store.append('T:C:4', [turn('q')], Date.now() + HOUR);
    await store.close();
    await written;
    const reopened = await SqliteStore.create(file);
    expect(await reopened.load('T:C:4')).toEqual([turn('q')]);
    await reopened.close();
  });
});

// Run in a process of its own, killed (SIGKILL) the moment its writes have settled: nothing after that runs.
const CRASHING_WRITER = `
const { SqliteStore } = require(process.argv[1]);
(async () => {
  const store = await SqliteStore.create(process.argv[2]);
  const later = Date.now() + 3_600_000;
  const turn = { role: 'user', text: 'q', ts: '1.1', user: 'U1' };
  await store.claim('T:C:done', 'p', later);
  await Promise.all([
    store.claim('T:C:pending', 'the question', later, 'U1'),
    store.append('T:C', [turn], later),
    store.addUsage('budget:k', 7, later),
    store.complete('T:C:done'),
  ]);
  await store.noteWritten('T:C:pending', '1.2');
  process.kill(process.pid, 'SIGKILL');
})();
`;

describe('sqlite: a crash right after writes settle', () => {
  it('finds every settled write after a restart, the pending claim ready to take over', async () => {
    const file = join(dir, 'crash.db');
    const compiled = join(__dirname, '..', '..', 'dist', 'store', 'sqlite-store.js'); // built by globalSetup
    const child = spawn(process.execPath, ['-e', CRASHING_WRITER, compiled, file], { stdio: 'inherit' });
    const signal = await new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    expect(signal).toBe('SIGKILL');
    const store = await SqliteStore.create(file);
    expect(await store.takeStale(0)).toEqual([
      { id: 'T:C:pending', payload: 'the question', claimedAt: expect.any(Number), written: ['1.2'] },
    ]);
    expect(await store.load('T:C')).toEqual([turn('q')]);
    expect(await store.usage(['budget:k'])).toEqual([7]);
    expect(await store.claim('T:C:done', 'again', Date.now() + HOUR)).toBe(false);
    await store.close();
  });
});

describe('sqlite: the log a burst writes', () => {
  // Each commit appends every page it changed to the log: 400 commits of a claim or a turn add 400 pages or more
  // (~1,600 measured); committed together, the burst's pages go to the log about once (~20).
  it('commits the writes of a burst made in one tick together: the log grows by a few pages, not one per write', async () => {
    const file = join(dir, 'burst.db');
    const store = await SqliteStore.create(file);
    const pageSize = 4096;
    const before = statSync(`${file}-wal`).size;
    await Promise.all(
      Array.from({ length: 200 }, (_, n) => [
        store.claim(`T:C${n}:1.${n}`, 'p', Date.now() + HOUR),
        store.append(`T:C${n}:1`, [turn('q')], Date.now() + HOUR),
      ]).flat(),
    );
    const pages = (statSync(`${file}-wal`).size - before) / pageSize;
    expect(pages).toBeLessThan(50);
    await store.close();
  });
});
