import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Turn } from '../../src/conversation/turn';
import { createStore } from '../../src/store/create-store';
import { scratchDir } from '../helpers/scratch-dir';

// Expiry of stored history on every backend is covered by the store contract (tests/store/contract.ts).
const CLI = path.join(__dirname, '..', '..', 'dist', 'forget.js');
const DAY = 24 * 60 * 60 * 1000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI as `npm run forget` does, in `cwd`, with exactly `env` (plus PATH). */
function forget(args: string[], env: Record<string, string>, cwd = scratchDir('forget')) {
  return new Promise<Run>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } }, (err, out, e) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: String(out), stderr: String(e) }),
    );
  });
}

/** A question and its answer, each with its own ts (a turn of a role and ts stored already is not stored again). */
const turn = (user: string, text: string, at = 1): Turn[] => [
  { role: 'user', text, ts: `1700000000.00${at}100`, user },
  { role: 'assistant', text: `answer to ${text}`, ts: `1700000000.00${at}200` },
];

describe('npm run forget', () => {
  let url: string;
  const keys = {
    aliceDm: 'T0001:D0ALICE:1700000000.000100',
    shared: 'T0001:C0GENERAL:1700000001.000100',
    bobOnly: 'T0001:C0GENERAL:1700000002.000100',
  };

  beforeEach(async () => {
    url = `sqlite://${path.join(scratchDir('forget-db'), 'threads.db')}`;
    const store = await createStore(url);
    const expiresAt = Date.now() + DAY;
    await store.append(keys.aliceDm, turn('U0ALICE', 'my VPN'), expiresAt);
    await store.append(keys.shared, [...turn('U0BOB', 'printer'), ...turn('U0ALICE', 'me too', 2)], expiresAt);
    await store.append(keys.bobOnly, turn('U0BOB', 'badge'), expiresAt);
    await store.close();
  });

  async function stored(): Promise<Record<string, number>> {
    const store = await createStore(url);
    try {
      const counts: Record<string, number> = {};
      for (const [name, key] of Object.entries(keys)) counts[name] = (await store.load(key)).length;
      return counts;
    } finally {
      await store.close();
    }
  }

  it('deletes every thread one user took part in, and says how many', async () => {
    const run = await forget(['--user', 'U0ALICE'], { STORE_URL: url });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`Deleted 2 threads (of user U0ALICE) from ${url}.\n`);
    expect(await stored()).toEqual({ aliceDm: 0, shared: 0, bobOnly: 2 });
    const again = await forget(['--user', 'U0ALICE'], { STORE_URL: url });
    expect(again.stdout).toContain('Deleted 0 threads');
  });

  it('deletes one thread by its key, and says whether there was one', async () => {
    const run = await forget(['--thread', keys.bobOnly], { STORE_URL: url });
    expect(run).toMatchObject({ code: 0, stdout: `Deleted 1 thread (${keys.bobOnly}) from ${url}.\n` });
    expect(await stored()).toEqual({ aliceDm: 2, shared: 4, bobOnly: 0 });
    const again = await forget(['--thread', keys.bobOnly], { STORE_URL: url });
    expect(again.stdout).toContain('Deleted 0 threads');
  });

  it('reads STORE_URL from .env in the working directory, as the bot does', async () => {
    const cwd = scratchDir('forget-env');
    writeFileSync(path.join(cwd, '.env'), `STORE_URL=${url}\n`);
    const run = await forget(['--user=U0BOB'], {}, cwd);
    expect(run).toMatchObject({ code: 0, stdout: `Deleted 2 threads (of user U0BOB) from ${url}.\n` });
    expect(await stored()).toEqual({ aliceDm: 2, shared: 0, bobOnly: 0 });
  });

  it.each([
    [[], 'give either --user or --thread'],
    [['--user', 'U0ALICE', '--thread', 'T0001:C0GENERAL:1700000001.000100'], 'give either --user or --thread'],
    [['--user', 'alice@example.com'], 'is not a user id'],
    [['--thread', 'C0GENERAL:1700000001.000100'], 'is not a thread key'],
    [['--channel', 'C0GENERAL'], "Unknown option '--channel'"],
  ])('refuses %j with a usage message and exit code 2, deleting nothing', async (args, problem) => {
    const run = await forget(args, { STORE_URL: url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toContain('usage: npm run forget -- --user U0123ABCD');
    expect(await stored()).toEqual({ aliceDm: 2, shared: 4, bobOnly: 2 });
  });

  it('fails with exit code 1 and the reason when the store cannot be opened', async () => {
    const run = await forget(['--user', 'U0ALICE'], { STORE_URL: 'ftp://user:secret@example.com/threads' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('STORE_URL has an unsupported scheme');
    expect(run.stderr).not.toContain('secret');
  });

  it.each([
    ['memory://bot:pa55/w0rd@localhost', 'memory://bot:***@localhost'],
    ['memory://bot:pa55@w0rd@localhost', 'memory://bot:***@localhost'],
    ['memory://localhost?password=pa55w0rd', 'memory://localhost?password=***'],
    ['memory://localhost?user=bot&password=pa55w0rd', 'memory://localhost?user=bot&password=***'],
  ])('never prints the password in %s', async (storeUrl, shown) => {
    const run = await forget(['--user', 'U0ALICE'], { STORE_URL: storeUrl });
    expect(run).toMatchObject({ code: 0, stdout: `Deleted 0 threads (of user U0ALICE) from ${shown}.\n` });
  });

  it('fails without printing a password that holds a slash', async () => {
    const run = await forget(['--user', 'U0ALICE'], { STORE_URL: 'redis://bot:pa55/w0rd@127.0.0.1:6390' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('STORE_URL is not usable');
    expect(run.stderr).not.toMatch(/pa55|w0rd/);
  });
});
