import { CLAIM_RETRIES } from '../../src/answering/claim-decision';
import { Claims } from '../../src/answering/claims';
import { StoreHealth } from '../../src/answering/store-health';
import { StoreError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import type { ClaimBook } from '../../src/store/thread-store';
import { recordingLogger } from '../helpers/recording-logger';

const DAY = 86_400_000;
/** Short pauses, so that retries take milliseconds. */
const FAST = { ...CLAIM_RETRIES, pauseMs: 5, maxPauseMs: 20 };

/** How one claim call fails: `unsent` never reaches the store; `unheard` lands, but its reply is lost (a timeout). */
type Fault = 'unsent' | 'unheard';

/** One instance's way to the shared store: its claim calls fail as scripted, the others go straight through. */
function reach(store: MemoryStore, faults: Fault[] = []) {
  let calls = 0;
  let failed = 0;
  const fault = async (call: () => Promise<boolean>) => {
    calls++;
    const next = faults.shift();
    if (next === 'unsent') {
      failed++;
      throw new StoreError('Postgres store: claim failed: timeout exceeded when trying to connect');
    }
    const won = await call();
    if (next === 'unheard') {
      failed++;
      throw new StoreError('Postgres store: claim failed: Query read timeout');
    }
    return won;
  };
  const book: ClaimBook = {
    claim: (...args) => fault(() => store.claim(...args)),
    reclaim: (...args) => fault(() => store.reclaim(...args)),
    noteWritten: (id, ts) => store.noteWritten(id, ts),
    complete: (id) => store.complete(id),
    touch: (ids) => store.touch(ids),
    takeStale: (staleMs) => store.takeStale(staleMs),
  };
  return { book, calls: () => calls, failed: () => failed };
}

/**
 * Two instances sharing one store, each with its own scripted faults. The store counts as down after `downAfterMs`
 * of failures: by default long enough never to be reached by accident.
 */
function twoInstances(faultsA: Fault[], faultsB: Fault[], downAfterMs?: number) {
  const store = new MemoryStore();
  const [a, b] = [reach(store, faultsA), reach(store, faultsB)];
  const logger = recordingLogger();
  const claims = (book: ClaimBook) => new Claims(book, DAY, logger, new StoreHealth(downAfterMs), FAST);
  return { store, a: { ...a, claims: claims(a.book) }, b: { ...b, claims: claims(b.book) }, logger };
}

const ID = 'T1:C1:1700000000.000100';

describe('a claim the store did not decide', () => {
  it('is not answered by both instances when the first try never reached the store', async () => {
    const { store, a, b } = twoInstances(['unsent'], []);
    const taken = await Promise.all([a.claims.take(ID, '{}', 'U1'), b.claims.take(ID, '{}', 'U1')]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(a.failed()).toBe(1);
    await store.close();
  });

  it('is answered by one instance when both time out, one of them after its claim landed', async () => {
    const { store, a, b } = twoInstances(['unheard'], ['unsent']);
    const taken = await Promise.all([a.claims.take(ID, '{}', 'U1'), b.claims.take(ID, '{}', 'U1')]);
    expect(taken).toEqual([true, false]);
    expect(a.failed() + b.failed()).toBe(2);
    await store.close();
  });

  it('is found won, not lost, when its first try landed unseen', async () => {
    const { store, a, b } = twoInstances(['unheard', 'unsent', 'unheard'], []);
    const taken = await Promise.all([a.claims.take(ID, '{}', 'U1'), b.claims.take(ID, '{}', 'U1')]);
    expect(taken).toEqual([true, false]);
    expect(a.calls()).toBe(4);
    await store.close();
  });

  it('is heartbeated while it is being decided, so that a first try that landed never looks abandoned', async () => {
    const { store, a } = twoInstances(['unheard', 'unsent'], []);
    const taking = a.claims.take(ID, '{}', 'U1');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(a.failed()).toBe(1);
    expect(a.claims.heldIds()).toEqual([ID]);
    expect(await taking).toBe(true);
    await store.close();
  });

  it("is answered once when the same message's two events reach one instance", async () => {
    const { store, a } = twoInstances(['unsent'], []);
    const taken = await Promise.all([a.claims.take(ID, '{}', 'U1'), a.claims.take(ID, '{}', 'U1')]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(a.failed()).toBe(1);
    await store.close();
  });
});

describe('a store that decides no claim at all', () => {
  const down = (): Fault[] => Array.from({ length: 1000 }, () => 'unsent');

  it('is down: after a while each instance answers alone, once per instance, and at once while it stays down', async () => {
    const { store, a, b, logger } = twoInstances(down(), down(), 50);
    const taken = await Promise.all([a.claims.take(ID, '{}', 'U1'), b.claims.take(ID, '{}', 'U1')]);
    // The outage's documented cost: an event that reached both instances is answered by both.
    expect(taken).toEqual([true, true]);
    expect(await a.claims.take(ID, '{}', 'U1')).toBe(false);
    const before = a.calls();
    expect(await a.claims.take('T1:C1:next', '{}', 'U1')).toBe(true);
    expect(a.calls() - before).toBe(1);
    const fallbacks = logger.lines.filter((line) => line.message === 'store unreachable: answering without memory');
    expect(fallbacks).toHaveLength(4);
    await store.close();
  });
});
