import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Turn } from '../../src/conversation/turn';
import { StoreError } from '../../src/errors';
import type { ThreadStore } from '../../src/store/thread-store';
import { runDeskContract } from './desk-contract';

const HOUR = 3_600_000;
/** A claim is stale after this long without a stamp; tests wait STALE_WAIT_MS to see one go stale. */
const STALE_MS = 250;
const STALE_WAIT_MS = 350;
/** How far a skewed instance's clock is off: well past the claims' staleness, well short of their expiry. */
const SKEW_MS = 10 * 60_000;

/** A new Slack ts for each message, as Slack gives: a turn's role and ts make it one (turnId). */
let sent = 0;
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sent % 1_000_000).padStart(6, '0')}`;
const question = (text: string, user = 'U1'): Turn => ({ role: 'user', text, ts: nextTs(), user, tokens: 3 });
const answer = (text: string): Turn => ({ role: 'assistant', text, ts: nextTs() });

/** What sets a backend apart from the others, for the cases that apply to some only. */
export interface ContractOptions {
  /** Claim stamps come from the store server's clock (shared by instances), not the caller's. */
  serverClock?: boolean;
}

/** The behaviour every ThreadStore backend must show; each backend's test file runs it against a real store. */
export function runStoreContract(
  name: string,
  makeStore: () => Promise<ThreadStore>,
  options: ContractOptions = {},
): void {
  describe(`${name}: ThreadStore contract`, () => {
    let store: ThreadStore;
    // Keys are unique per run so suites sharing one server (or a re-used file) never see each other's data.
    const run = randomUUID().slice(0, 8);
    const key = (label: string) => `T${run}:C${label}:${randomUUID().slice(0, 6)}`;

    /** The claims among `ids` that takeStale takes now (the store is shared with the other tests). */
    const takeStaleOf = async (ids: string[]) =>
      (await store.takeStale(STALE_MS)).filter((claim) => ids.includes(claim.id));

    /** Asks for a lease with a new token: the token if granted, else null. */
    const lock = async (thread: string, ttlMs: number, order: number) => {
      const token = randomUUID();
      return (await store.lock(thread, token, ttlMs, order)) ? token : null;
    };

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

      it('stores a turn once however often it is appended (a save retried after it landed unseen)', async () => {
        const [thread, racing, other] = [key('again'), key('again-racing'), key('again-other')];
        const [asked, answered, next] = [question('asked once'), answer('answered once'), question('next')];
        await store.append(thread, [asked, answered], Date.now() + HOUR);
        await store.append(thread, [asked, answered], Date.now() + HOUR);
        await store.append(thread, [answered, next], Date.now() + HOUR);
        expect(await store.load(thread)).toEqual([asked, answered, next]);
        // The same ts in the other role is another turn: an answer that wrote no message is saved under the question's.
        const unwritten: Turn = { role: 'assistant', text: 'nothing written', ts: next.ts };
        await store.append(thread, [unwritten], Date.now() + HOUR);
        expect(await store.load(thread)).toEqual([asked, answered, next, unwritten]);
        // A retry still running when asked again, and the same turn in another thread.
        const twice = () => store.append(racing, [asked, answered], Date.now() + HOUR);
        await Promise.all([twice(), twice(), store.append(other, [asked], Date.now() + HOUR)]);
        expect(await store.load(racing)).toEqual([asked, answered]);
        expect(await store.load(other)).toEqual([asked]);
        // A thread deleted, or erased with its user, is stored afresh, the same turns included.
        const mine = question('erased', `U${randomUUID()}`);
        await store.append(other, [mine], Date.now() + HOUR);
        await store.deleteThread(racing);
        await store.deleteUser(mine.user!);
        await store.append(racing, [asked], Date.now() + HOUR);
        await store.append(other, [mine], Date.now() + HOUR);
        expect(await store.load(racing)).toEqual([asked]);
        expect(await store.load(other)).toEqual([mine]);
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

      it('tells whether a thread has stored turns', async () => {
        const [kept, gone, short] = [key('has'), key('has-gone'), key('has-short')];
        await store.append(kept, [question('here')], Date.now() + HOUR);
        await store.append(gone, [question('soon deleted')], Date.now() + HOUR);
        await store.append(short, [question('soon expired')], Date.now() + 100);
        await store.deleteThread(gone);
        await sleep(250);
        expect(await store.has(kept)).toBe(true);
        expect(await store.has(gone)).toBe(false);
        expect(await store.has(short)).toBe(false);
        expect(await store.has(key('never'))).toBe(false);
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

      it('reclaims a pending claim for its own claimer only; a free or expired one for anyone', async () => {
        const [landed, free, done, expired, anonymous] = ['landed', 'free', 'done', 'expired', 'anonymous'].map((l) =>
          key(`reclaim-${l}`),
        );
        const reclaim = (id: string, claimer: string) => store.reclaim(id, 'p', Date.now() + HOUR, 'U1', claimer);
        expect(await store.claim(landed, 'p', Date.now() + HOUR, 'U1', 'claimer-a')).toBe(true);
        expect(await store.claim(landed, 'p', Date.now() + HOUR, 'U1', 'claimer-a')).toBe(false);
        expect(await reclaim(landed, 'claimer-b')).toBe(false);
        expect(await reclaim(landed, 'claimer-a')).toBe(true);
        expect(await reclaim(free, 'claimer-b')).toBe(true);
        expect(await store.claim(free, 'p', Date.now() + HOUR)).toBe(false);
        await store.claim(done, 'p', Date.now() + HOUR, 'U1', 'claimer-a');
        await store.complete(done);
        expect(await reclaim(done, 'claimer-a')).toBe(false);
        await store.claim(expired, 'p', Date.now() + 100, 'U1', 'claimer-b');
        await store.claim(anonymous, 'p', Date.now() + HOUR);
        await sleep(STALE_WAIT_MS);
        expect(await reclaim(expired, 'claimer-a')).toBe(true);
        expect(await reclaim(expired, 'claimer-b')).toBe(false);
        expect(await reclaim(anonymous, 'claimer-a')).toBe(false);
        // A reclaimed claim is pending like any other: a taker finds it once it goes stale.
        await sleep(STALE_WAIT_MS);
        expect((await takeStaleOf([landed, free, expired])).map((claim) => claim.id).sort()).toEqual(
          [landed, free, expired].sort(),
        );
      });

      it('takes over pending claims not stamped for staleMs, re-stamped, once', async () => {
        const [a, b, done] = [key('stale-a'), key('stale-b'), key('stale-done')];
        await store.claim(a, 'payload a', Date.now() + HOUR);
        await store.claim(b, 'payload b', Date.now() + HOUR, 'U1');
        await store.claim(done, 'payload done', Date.now() + HOUR);
        await store.complete(done);
        expect(await takeStaleOf([a, b])).toEqual([]);
        await sleep(STALE_WAIT_MS);
        const before = Date.now();
        const taken = await takeStaleOf([a, b, done]);
        expect(taken.sort((x, y) => x.payload.localeCompare(y.payload))).toEqual([
          { id: a, payload: 'payload a', claimedAt: expect.any(Number), written: [] },
          { id: b, payload: 'payload b', claimedAt: expect.any(Number), written: [] },
        ]);
        // Re-stamped when taken (by the store's clock, which on this machine is the test's).
        expect(taken[0]!.claimedAt).toBeGreaterThanOrEqual(before - 50);
        expect(await takeStaleOf([a, b])).toEqual([]);
        expect(await store.claim(done, 'again', Date.now() + HOUR)).toBe(false);
      });

      it('re-stamps only pending claims on touch, keeping them from a taker', async () => {
        const [mine, done, unknown] = [key('touch-mine'), key('touch-done'), key('touch-unknown')];
        await store.claim(mine, 'mine', Date.now() + HOUR);
        await store.claim(done, 'done', Date.now() + HOUR);
        await store.complete(done);
        await sleep(STALE_WAIT_MS);
        await store.touch([mine, done, unknown]);
        await store.touch([]);
        expect(await takeStaleOf([mine, done])).toEqual([]);
        expect(await store.claim(unknown, 'new', Date.now() + HOUR)).toBe(true);
        await sleep(STALE_WAIT_MS);
        expect((await takeStaleOf([mine, done])).map((claim) => claim.id)).toEqual([mine]);
      });

      it('skips claims that have expired', async () => {
        const id = key('stale-expired');
        await store.claim(id, 'p', Date.now() + 100);
        await sleep(STALE_WAIT_MS);
        expect(await takeStaleOf([id])).toEqual([]);
      });

      it('gives two concurrent takers disjoint sets', async () => {
        const ids = Array.from({ length: 30 }, (_, i) => key(`take-${i}`));
        for (const id of ids) await store.claim(id, id, Date.now() + HOUR);
        await sleep(STALE_WAIT_MS);
        const [first, second] = await Promise.all([takeStaleOf(ids), takeStaleOf(ids)]);
        const taken = [...first, ...second].map((claim) => claim.id);
        expect(taken.sort()).toEqual([...ids].sort());
      });

      it('lists the messages written for a pending claim, oldest first, until it completes', async () => {
        const [id, unknown, redelivered] = [key('written'), key('written-unknown'), key('written-again')];
        await store.claim(id, 'p', Date.now() + HOUR);
        for (const ts of ['1700000000.000300', '1700000000.000100', '1700000000.000200'])
          await store.noteWritten(id, ts);
        await store.noteWritten(unknown, '1700000000.000900');
        await store.claim(redelivered, 'p', Date.now() + 100);
        await store.noteWritten(redelivered, '1700000000.000400');
        await sleep(STALE_WAIT_MS);
        expect(await store.claim(unknown, 'p', Date.now() + HOUR)).toBe(true);
        expect(await store.claim(redelivered, 'p', Date.now() + HOUR)).toBe(true);
        await sleep(STALE_WAIT_MS);
        const written = Object.fromEntries((await takeStaleOf([id, redelivered])).map((c) => [c.id, c.written]));
        expect(written).toEqual({
          [id]: ['1700000000.000300', '1700000000.000100', '1700000000.000200'],
          [redelivered]: [],
        });
        await store.complete(id);
        await store.noteWritten(id, '1700000000.000500');
        expect(await store.claim(id, 'p', Date.now() + HOUR)).toBe(false);
      });

      it("erases a user's pending claims with their threads, still blocking redeliveries", async () => {
        const [u1, u2] = [`U${randomUUID()}`, `U${randomUUID()}`];
        const [mine, theirs] = [key('erase-mine'), key('erase-theirs')];
        await store.claim(mine, 'my question', Date.now() + HOUR, u1);
        await store.claim(theirs, 'their question', Date.now() + HOUR, u2);
        expect(await store.deleteUser(u1)).toBe(0);
        await sleep(STALE_WAIT_MS);
        expect((await takeStaleOf([mine, theirs])).map((claim) => claim.payload)).toEqual(['their question']);
        expect(await store.claim(mine, 'redelivered', Date.now() + HOUR, u1)).toBe(false);
      });

      if (options.serverClock) {
        it('stamps claims by the server clock: a caller whose clock runs behind does not look dead', async () => {
          const id = key('skew-behind');
          const realNow = Date.now();
          const skewed = jest.spyOn(Date, 'now').mockReturnValue(realNow - SKEW_MS);
          try {
            await store.claim(id, 'p', realNow + HOUR);
          } finally {
            skewed.mockRestore();
          }
          expect(await takeStaleOf([id])).toEqual([]);
        });

        it('judges staleness by the server clock: a taker whose clock runs ahead cannot take a live claim', async () => {
          const id = key('skew-ahead');
          await store.claim(id, 'p', Date.now() + HOUR);
          await store.touch([id]);
          const skewed = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + SKEW_MS);
          try {
            expect((await store.takeStale(60_000)).map((claim) => claim.id)).not.toContain(id);
          } finally {
            skewed.mockRestore();
          }
        });
      }
    });

    describe('leases', () => {
      it('hands out one lease at a time and ignores a wrong token', async () => {
        const thread = key('lock');
        const token = await lock(thread, 10_000, 1);
        expect(token).toEqual(expect.any(String));
        expect(await lock(thread, 10_000, 2)).toBeNull();
        await store.unlock(thread, 'not-the-token');
        expect(await lock(thread, 10_000, 2)).toBeNull();
        await store.unlock(thread, token!);
        expect(await lock(thread, 10_000, 2)).toEqual(expect.any(String));
      });

      it('grants the lease again, extended, to the token holding it (a request that landed unseen), whoever waits', async () => {
        const thread = key('lock-again');
        const [mine, other] = [randomUUID(), randomUUID()];
        expect(await store.lock(thread, mine, 200, 300)).toBe(true);
        expect(await store.lock(thread, other, 10_000, 100)).toBe(false);
        expect(await store.lock(thread, mine, 10_000, 300)).toBe(true);
        await sleep(300);
        expect(await store.lock(thread, other, 10_000, 100)).toBe(false);
        await store.unlock(thread, mine);
        expect(await store.lock(thread, other, 10_000, 100)).toBe(true);
        expect(await store.lock(thread, mine, 10_000, 300)).toBe(false);
      });

      it('frees a lease by itself after its ttl', async () => {
        const thread = key('lock-ttl');
        const stale = await lock(thread, 150, 1);
        expect(stale).not.toBeNull();
        await sleep(300);
        const fresh = await lock(thread, 10_000, 2);
        expect(fresh).not.toBeNull();
        await store.unlock(thread, stale!);
        expect(await lock(thread, 10_000, 3)).toBeNull();
      });
    });

    describe('lease renewal', () => {
      it('keeps a lease alive for its holder only, and not once it has lapsed', async () => {
        const thread = key('renew');
        const token = await lock(thread, 200, 1);
        expect(await store.renew(thread, 'not-the-token', 10_000)).toBe(false);
        expect(await store.renew(thread, token!, 10_000)).toBe(true);
        await sleep(300);
        expect(await lock(thread, 10_000, 2)).toBeNull();
        await store.unlock(thread, token!);
        expect(await store.renew(thread, token!, 10_000)).toBe(false);

        const lapsed = key('renew-lapsed');
        const old = await lock(lapsed, 100, 1);
        await sleep(200);
        expect(await store.renew(lapsed, old!, 10_000)).toBe(false);
        expect(await lock(lapsed, 10_000, 2)).not.toBeNull();
      });
    });

    describe('lease waiting line', () => {
      it('hands the lease to the lowest order waiting, not to whoever asks first', async () => {
        const thread = key('line');
        const first = await lock(thread, 10_000, 300);
        expect(first).toEqual(expect.any(String));
        expect(await lock(thread, 10_000, 200)).toBeNull();
        expect(await lock(thread, 10_000, 100)).toBeNull();
        await store.unlock(thread, first!);
        expect(await lock(thread, 10_000, 200)).toBeNull();
        const lowest = await lock(thread, 10_000, 100);
        expect(lowest).toEqual(expect.any(String));
        expect(await lock(thread, 10_000, 200)).toBeNull();
        await store.unlock(thread, lowest!);
        expect(await lock(thread, 10_000, 200)).toEqual(expect.any(String));
      });

      it('puts a question of unknown order (MAX_SAFE_INTEGER) after every known one', async () => {
        const thread = key('line-last');
        const holder = await lock(thread, 10_000, 100);
        expect(await lock(thread, 10_000, Number.MAX_SAFE_INTEGER)).toBeNull();
        expect(await lock(thread, 10_000, Number.MAX_SAFE_INTEGER - 1)).toBeNull();
        await store.unlock(thread, holder!);
        expect(await lock(thread, 10_000, Number.MAX_SAFE_INTEGER)).toBeNull();
        const known = await lock(thread, 10_000, Number.MAX_SAFE_INTEGER - 1);
        expect(known).toEqual(expect.any(String));
        await store.unlock(thread, known!);
        expect(await lock(thread, 10_000, Number.MAX_SAFE_INTEGER)).toEqual(expect.any(String));
      });

      it('forgets a waiter that stopped asking after its ttl', async () => {
        const thread = key('line-ttl');
        const holder = await lock(thread, 10_000, 300);
        expect(await lock(thread, 150, 100)).toBeNull();
        await store.unlock(thread, holder!);
        expect(await lock(thread, 10_000, 200)).toBeNull();
        await sleep(300);
        expect(await lock(thread, 10_000, 200)).toEqual(expect.any(String));
      });
    });

    if (options.serverClock) {
      describe('leases by the server clock', () => {
        it('keeps an earlier waiter first when a later one asks with a clock that runs ahead', async () => {
          const thread = key('line-skew');
          const holder = await lock(thread, 10_000, 100);
          expect(await lock(thread, 10_000, 200)).toBeNull();
          await store.unlock(thread, holder!);
          const skewed = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + SKEW_MS);
          try {
            expect(await lock(thread, 10_000, 300)).toBeNull();
          } finally {
            skewed.mockRestore();
          }
          expect(await lock(thread, 10_000, 200)).toEqual(expect.any(String));
        });
      });
    }

    describe('usage counters', () => {
      it('adds up per key and reads 0 for a key never added to', async () => {
        const [mine, theirs] = [key('usage-mine'), key('usage-theirs')];
        expect(await store.addUsage(mine, 1_200, Date.now() + HOUR)).toBe(1_200);
        expect(await store.addUsage(mine, 300, Date.now() + HOUR)).toBe(1_500);
        expect(await store.addUsage(theirs, 7, Date.now() + HOUR)).toBe(7);
        expect(await store.usage([theirs, key('usage-none'), mine])).toEqual([7, 0, 1_500]);
        expect(await store.usage([])).toEqual([]);
      });

      it('counts every addition made at once (instances answering together)', async () => {
        const shared = key('usage-shared');
        const totals = await Promise.all(
          Array.from({ length: 25 }, () => store.addUsage(shared, 40, Date.now() + HOUR)),
        );
        expect([...totals].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => (n + 1) * 40));
        expect(await store.usage([shared])).toEqual([1_000]);
      });

      it('answers many reads made at once, each with its own keys', async () => {
        const keys = Array.from({ length: 12 }, (_, n) => key(`usage-many-${n}`));
        await Promise.all(keys.map((k, n) => store.addUsage(k, n + 1, Date.now() + HOUR)));
        const reads = await Promise.all(keys.map((k, n) => store.usage([k, keys[(n + 1) % keys.length]!])));
        expect(reads).toEqual(keys.map((_, n) => [n + 1, ((n + 1) % keys.length) + 1]));
      });

      it('starts again from 0 once a counter has expired', async () => {
        const day = key('usage-day');
        await store.addUsage(day, 500, Date.now() + 150);
        await sleep(300);
        expect(await store.usage([day])).toEqual([0]);
        expect(await store.addUsage(day, 20, Date.now() + HOUR)).toBe(20);
      });
    });

    describe('ping', () => {
      it('answers while the store is open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('close', () => {
      it('is idempotent, and later calls reject with StoreError', async () => {
        const other = await makeStore();
        await other.close();
        await other.close();
        await expect(other.ping()).rejects.toBeInstanceOf(StoreError);
        await expect(other.load(key('closed'))).rejects.toBeInstanceOf(StoreError);
        await expect(other.claim(key('closed'), 'p', Date.now() + HOUR)).rejects.toBeInstanceOf(StoreError);
      });
    });
    runDeskContract(name, () => store);
  });
}
