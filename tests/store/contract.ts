import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../../src/errors';
import type { ThreadStore, Turn } from '../../src/store/thread-store';

const HOUR = 3_600_000;

const question = (text: string, user = 'U1'): Turn => ({
  role: 'user',
  text,
  ts: `${Date.now()}.0001`,
  user,
  tokens: 3,
});
const answer = (text: string): Turn => ({ role: 'assistant', text, ts: `${Date.now()}.0002` });

/** The behaviour every ThreadStore backend must show; each backend's test file runs it against a real store. */
export function runStoreContract(name: string, makeStore: () => Promise<ThreadStore>): void {
  describe(`${name}: ThreadStore contract`, () => {
    let store: ThreadStore;
    // Keys are unique per run so suites sharing one server (or a re-used file) never see each other's data.
    const run = randomUUID().slice(0, 8);
    const key = (label: string) => `T${run}:C${label}:${randomUUID().slice(0, 6)}`;

    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store.close();
    });

    describe('history', () => {
      it('loads what was appended, and nothing for an unknown thread', async () => {
        const thread = key('roundtrip');
        const turns = [question('How do I reset my password? "quotes", \\ and ünïcødé 🎉'), answer('Use the portal.')];
        await store.append(thread, turns, Date.now() + HOUR);
        expect(await store.load(thread)).toEqual(turns);
        expect(await store.load(key('unknown'))).toEqual([]);
      });

      it('keeps threads independent', async () => {
        const [a, b] = [key('a'), key('b')];
        await store.append(a, [question('in a')], Date.now() + HOUR);
        await store.append(b, [question('in b', 'U2')], Date.now() + HOUR);
        expect((await store.load(a)).map((t) => t.text)).toEqual(['in a']);
        expect((await store.load(b)).map((t) => t.text)).toEqual(['in b']);
      });

      it('keeps order across several appends', async () => {
        const thread = key('order');
        await store.append(thread, [question('1'), answer('2')], Date.now() + HOUR);
        await store.append(thread, [question('3')], Date.now() + HOUR);
        await store.append(thread, [answer('4'), question('5'), answer('6')], Date.now() + HOUR);
        expect((await store.load(thread)).map((t) => t.text)).toEqual(['1', '2', '3', '4', '5', '6']);
      });

      it('round-trips a 1,000-turn thread in order', async () => {
        const thread = key('long');
        const turns = Array.from({ length: 1000 }, (_, i) => (i % 2 ? answer(`a${i}`) : question(`q${i}`)));
        await store.append(thread, turns.slice(0, 600), Date.now() + HOUR);
        await store.append(thread, turns.slice(600), Date.now() + HOUR);
        expect(await store.load(thread)).toEqual(turns);
      });

      it('forgets a thread at its expiry, which each append moves', async () => {
        const [short, moved] = [key('short'), key('moved')];
        await store.append(short, [question('soon gone')], Date.now() + 150);
        await store.append(moved, [question('first')], Date.now() + 150);
        await store.append(moved, [answer('second')], Date.now() + HOUR);
        expect(await store.load(short)).toHaveLength(1);
        await sleep(300);
        expect(await store.load(short)).toEqual([]);
        expect((await store.load(moved)).map((t) => t.text)).toEqual(['first', 'second']);
      });

      it('starts afresh when appending to an expired thread', async () => {
        const thread = key('reborn');
        await store.append(thread, [question('old')], Date.now() + 100);
        await sleep(250);
        await store.append(thread, [question('new')], Date.now() + HOUR);
        expect((await store.load(thread)).map((t) => t.text)).toEqual(['new']);
      });

      it('deletes one thread', async () => {
        const [gone, kept] = [key('gone'), key('kept')];
        await store.append(gone, [question('x')], Date.now() + HOUR);
        await store.append(kept, [question('y')], Date.now() + HOUR);
        await store.deleteThread(gone);
        await store.deleteThread(key('never-existed'));
        expect(await store.load(gone)).toEqual([]);
        expect(await store.load(kept)).toHaveLength(1);
      });

      it('deletes every live thread a user spoke in and counts them', async () => {
        const [u1, u2] = [`U${randomUUID()}`, `U${randomUUID()}`];
        const [a, b, c] = [key('u-a'), key('u-b'), key('u-c')];
        await store.append(a, [question('mine', u1), answer('ok')], Date.now() + HOUR);
        await store.append(b, [question('theirs', u2)], Date.now() + HOUR);
        await store.append(c, [question('theirs', u2)], Date.now() + HOUR);
        await store.append(c, [question('me too', u1)], Date.now() + HOUR);
        expect(await store.deleteUser(u1)).toBe(2);
        expect(await store.load(a)).toEqual([]);
        expect(await store.load(c)).toEqual([]);
        expect(await store.load(b)).toHaveLength(1);
        expect(await store.deleteUser(u1)).toBe(0);
      });

      it('does not count expired threads or threads re-created without the user', async () => {
        const [u1, u2] = [`U${randomUUID()}`, `U${randomUUID()}`];
        const [expired, recreated] = [key('u-expired'), key('u-recreated')];
        await store.append(expired, [question('old', u1)], Date.now() + 100);
        await store.append(recreated, [question('old', u1)], Date.now() + HOUR);
        await store.deleteThread(recreated);
        await store.append(recreated, [question('new', u2)], Date.now() + HOUR);
        await sleep(250);
        expect(await store.deleteUser(u1)).toBe(0);
        expect(await store.load(recreated)).toHaveLength(1);
      });
    });

    describe('claims', () => {
      it('lets the first claimer win until the claim expires', async () => {
        const id = key('claim');
        expect(await store.claim(id, 'p1', Date.now() + 150)).toBe(true);
        expect(await store.claim(id, 'p2', Date.now() + HOUR)).toBe(false);
        await sleep(300);
        expect(await store.claim(id, 'p3', Date.now() + HOUR)).toBe(true);
        expect(await store.claim(id, 'p4', Date.now() + HOUR)).toBe(false);
      });

      it('gives exactly one of many concurrent claimers the claim', async () => {
        const id = key('race');
        const results = await Promise.all(Array.from({ length: 10 }, () => store.claim(id, 'p', Date.now() + HOUR)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('decides each of many claims made at once on its own', async () => {
        const taken = key('taken');
        await store.claim(taken, 'p', Date.now() + HOUR);
        const ids = Array.from({ length: 40 }, (_, n) => key(`burst-${n}`));
        const asked = [...ids, ...ids, taken];
        const results = await Promise.all(asked.map((id) => store.claim(id, 'p', Date.now() + HOUR)));
        const wins = new Map<string, number>();
        for (const [n, id] of asked.entries()) wins.set(id, (wins.get(id) ?? 0) + (results[n] ? 1 : 0));
        for (const id of ids) expect(wins.get(id)).toBe(1);
        expect(wins.get(taken)).toBe(0);
      });

      it('takes over pending claims inside the window, re-stamped, once', async () => {
        const [a, b, c] = [key('stale-a'), key('stale-b'), key('stale-c')];
        await sleep(5); // claims from the previous test must fall before the window
        const start = Date.now();
        await store.claim(a, 'payload a', Date.now() + HOUR);
        await store.claim(b, 'payload b', Date.now() + HOUR);
        await sleep(10);
        const mid = Date.now();
        await sleep(10);
        await store.claim(c, 'payload c', Date.now() + HOUR);
        await store.complete(b);
        expect(await store.claim(b, 'again', Date.now() + HOUR)).toBe(false);

        const stamp = Date.now() + HOUR;
        expect(await store.takeStale(mid, start, stamp)).toEqual([{ id: a, payload: 'payload a', claimedAt: stamp }]);
        expect(await store.takeStale(mid, start, stamp + 1)).toEqual([]);
        // Bounds: notBefore is inclusive, staleBefore exclusive (a's claimedAt is now exactly `stamp`).
        expect(await store.takeStale(stamp, stamp, stamp + 5)).toEqual([]);
        expect(await store.takeStale(stamp + 1, stamp, stamp + 5)).toEqual([
          { id: a, payload: 'payload a', claimedAt: stamp + 5 },
        ]);
        expect(await store.takeStale(Date.now() + 1, mid, stamp)).toEqual([
          { id: c, payload: 'payload c', claimedAt: stamp },
        ]);
      });

      it('re-stamps only pending claims on touch, keeping them out of an older window', async () => {
        const [mine, done, unknown] = [key('touch-mine'), key('touch-done'), key('touch-unknown')];
        await sleep(5); // claims from the previous test must fall before the window
        const start = Date.now();
        await store.claim(mine, 'mine', Date.now() + HOUR);
        await store.claim(done, 'done', Date.now() + HOUR);
        await store.complete(done);
        const end = Date.now() + 1;
        const stamp = end + 2 * HOUR; // clear of the stamps the previous test left
        await store.touch([mine, done, unknown], stamp);
        await store.touch([], stamp);
        expect(await store.takeStale(end, start, stamp + 1)).toEqual([]);
        expect(await store.takeStale(stamp + 1, stamp, stamp + 2)).toEqual([
          { id: mine, payload: 'mine', claimedAt: stamp + 2 },
        ]);
        expect(await store.claim(unknown, 'new', Date.now() + HOUR)).toBe(true);
      });

      it('skips claims that have expired', async () => {
        const id = key('stale-expired');
        await sleep(5); // claims from the previous test must fall before the window
        const start = Date.now();
        await store.claim(id, 'p', Date.now() + 100);
        await sleep(200);
        expect(await store.takeStale(Date.now(), start, Date.now() + HOUR)).toEqual([]);
      });

      it('gives two concurrent takers disjoint sets', async () => {
        const ids = Array.from({ length: 30 }, (_, i) => key(`take-${i}`));
        await sleep(5); // claims from the previous test must fall before the window
        const start = Date.now();
        for (const id of ids) await store.claim(id, id, Date.now() + HOUR);
        const end = Date.now() + 1;
        const stamp = end + HOUR;
        const [first, second] = await Promise.all([
          store.takeStale(end, start, stamp),
          store.takeStale(end, start, stamp),
        ]);
        const taken = [...first, ...second].map((claim) => claim.id);
        expect(taken.sort()).toEqual([...ids].sort());
      });
    });

    describe('leases', () => {
      it('hands out one lease at a time and ignores a wrong token', async () => {
        const thread = key('lock');
        const token = await store.lock(thread, 10_000);
        expect(token).toEqual(expect.any(String));
        expect(await store.lock(thread, 10_000)).toBeNull();
        await store.unlock(thread, 'not-the-token');
        expect(await store.lock(thread, 10_000)).toBeNull();
        await store.unlock(thread, token!);
        expect(await store.lock(thread, 10_000)).toEqual(expect.any(String));
      });

      it('frees a lease by itself after its ttl', async () => {
        const thread = key('lock-ttl');
        const stale = await store.lock(thread, 150);
        expect(stale).not.toBeNull();
        await sleep(300);
        const fresh = await store.lock(thread, 10_000);
        expect(fresh).not.toBeNull();
        await store.unlock(thread, stale!);
        expect(await store.lock(thread, 10_000)).toBeNull();
      });
    });

    describe('lease renewal', () => {
      it('keeps a lease alive for its holder only, and not once it has lapsed', async () => {
        const thread = key('renew');
        const token = await store.lock(thread, 200);
        expect(await store.renew(thread, 'not-the-token', 10_000)).toBe(false);
        expect(await store.renew(thread, token!, 10_000)).toBe(true);
        await sleep(300);
        expect(await store.lock(thread, 10_000)).toBeNull();
        await store.unlock(thread, token!);
        expect(await store.renew(thread, token!, 10_000)).toBe(false);

        const lapsed = key('renew-lapsed');
        const old = await store.lock(lapsed, 100);
        await sleep(200);
        expect(await store.renew(lapsed, old!, 10_000)).toBe(false);
        expect(await store.lock(lapsed, 10_000)).not.toBeNull();
      });
    });

    describe('lease waiting line', () => {
      it('hands the lease to the lowest order waiting, not to whoever asks first', async () => {
        const thread = key('line');
        const first = await store.lock(thread, 10_000, 300);
        expect(first).toEqual(expect.any(String));
        expect(await store.lock(thread, 10_000, 200)).toBeNull();
        expect(await store.lock(thread, 10_000, 100)).toBeNull();
        await store.unlock(thread, first!);
        expect(await store.lock(thread, 10_000, 200)).toBeNull();
        const lowest = await store.lock(thread, 10_000, 100);
        expect(lowest).toEqual(expect.any(String));
        expect(await store.lock(thread, 10_000, 200)).toBeNull();
        await store.unlock(thread, lowest!);
        expect(await store.lock(thread, 10_000, 200)).toEqual(expect.any(String));
      });

      it('forgets a waiter that stopped asking after its ttl', async () => {
        const thread = key('line-ttl');
        const holder = await store.lock(thread, 10_000, 300);
        expect(await store.lock(thread, 150, 100)).toBeNull();
        await store.unlock(thread, holder!);
        expect(await store.lock(thread, 10_000, 200)).toBeNull();
        await sleep(300);
        expect(await store.lock(thread, 10_000, 200)).toEqual(expect.any(String));
      });
    });

    describe('close', () => {
      it('is idempotent, and later calls reject with StoreError', async () => {
        const other = await makeStore();
        await other.close();
        await other.close();
        await expect(other.load(key('closed'))).rejects.toBeInstanceOf(StoreError);
        await expect(other.claim(key('closed'), 'p', Date.now() + HOUR)).rejects.toBeInstanceOf(StoreError);
      });
    });
  });
}
