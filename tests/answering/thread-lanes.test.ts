import { StoreHealth } from '../../src/answering/store-health';
import { ThreadLanes } from '../../src/answering/thread-lanes';
import { StoreError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import type { ThreadLeases } from '../../src/store/thread-store';
import { until } from '../helpers/until';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ThreadLanes', () => {
  it('runs one thread’s questions one at a time, in the order they were asked, whatever order they came in', async () => {
    const store = new MemoryStore();
    const lanes = new ThreadLanes(store, 1_000, 5_000);
    const ran: string[] = [];
    let running = 0;
    const work = (ts: string) =>
      lanes.run('T:C:1.0', ts, async () => {
        running++;
        expect(running).toBe(1);
        ran.push(ts);
        await pause(20);
        running--;
      });
    const first = work('1.3');
    await pause(1);
    await Promise.all([first, work('1.5'), work('1.4')]);
    expect(ran).toEqual(['1.3', '1.4', '1.5']);
    await store.close();
  });

  it('shares a thread with another instance through the store: the earlier question goes first', async () => {
    const store = new MemoryStore();
    const [here, there] = [new ThreadLanes(store, 1_000, 5_000), new ThreadLanes(store, 1_000, 5_000)];
    const ran: string[] = [];
    const blocker = here.run('T:C:1.0', '1.1', async () => {
      await pause(50);
      ran.push('1.1');
    });
    await pause(5);
    const later = here.run('T:C:1.0', '1.9', async () => {
      ran.push('1.9');
    });
    await pause(5);
    const earlier = there.run('T:C:1.0', '1.2', async () => {
      ran.push('1.2');
    });
    await Promise.all([blocker, later, earlier]);
    expect(ran).toEqual(['1.1', '1.2', '1.9']);
    await store.close();
  });

  it('asks again when a lease request fails, keeping its place: the thread stays one at a time and in order', async () => {
    const store = new MemoryStore();
    let asked = 0;
    let failed = 0;
    // This instance's second request (after a refusal has put its question in the line) fails, as under load.
    const slow: ThreadLeases = {
      lock: (...args) => {
        if (++asked !== 2) return store.lock(...args);
        failed++;
        return Promise.reject(new StoreError('Postgres store: lock failed: timeout exceeded when trying to connect'));
      },
      renew: (...args) => store.renew(...args),
      unlock: (...args) => store.unlock(...args),
    };
    const [here, there] = [new ThreadLanes(slow, 1_000, 5_000), new ThreadLanes(store, 1_000, 5_000)];
    const ran: string[] = [];
    let finish: () => void = () => undefined;
    const blocker = there.run('T:C:1.0', '1.0', async () => {
      ran.push('1.0');
      await new Promise<void>((resolve) => (finish = resolve));
      ran.push('1.0 done');
    });
    await until(() => ran.length === 1);
    const waiting = here.run('T:C:1.0', '1.1', async () => void ran.push('1.1'));
    await until(() => failed === 1);
    finish();
    await Promise.all([blocker, waiting]);
    await there.run('T:C:1.0', '1.2', async () => void ran.push('1.2'));
    expect(ran).toEqual(['1.0', '1.0 done', '1.1', '1.2']);
    await store.close();
  });

  /** The store's leases, but the first lock request lands and then fails, as one timing out after it committed. */
  function firstLockUnheard(store: MemoryStore): ThreadLeases {
    let asked = 0;
    return {
      lock: async (...args) => {
        const granted = await store.lock(...args);
        if (++asked === 1) throw new StoreError('Postgres store: lock failed: Query read timeout');
        return granted;
      },
      renew: (...args) => store.renew(...args),
      unlock: (...args) => store.unlock(...args),
    };
  }

  it('finds its own lease when a request that landed failed: the thread does not wait for the lease to lapse', async () => {
    const store = new MemoryStore();
    const leaseMs = 5_000;
    const lanes = new ThreadLanes(firstLockUnheard(store), leaseMs, 4 * leaseMs);
    const ran: string[] = [];
    const started = Date.now();
    await Promise.all([
      lanes.run('T:C:1.0', '1.1', async () => void ran.push('1.1')),
      lanes.run('T:C:1.0', '1.2', async () => void ran.push('1.2')),
    ]);
    expect(ran).toEqual(['1.1', '1.2']);
    expect(Date.now() - started).toBeLessThan(leaseMs / 5);
    // Released, too: another instance's question goes at once.
    expect(await store.lock('T:C:1.0', 'elsewhere', leaseMs, 3)).toBe(true);
    await store.close();
  });

  it('lets go of a lease that landed unheard when it went ahead without it (the store counted as down)', async () => {
    const store = new MemoryStore();
    const lanes = new ThreadLanes(firstLockUnheard(store), 5_000, 20_000, new StoreHealth(0));
    await lanes.run('T:C:1.0', '1.1', async () => undefined);
    const deadline = Date.now() + 1_000;
    while (!(await store.lock('T:C:1.0', 'elsewhere', 5_000, 2))) {
      expect(Date.now()).toBeLessThan(deadline);
      await pause(10);
    }
    await store.close();
  });

  it('runs other threads alongside', async () => {
    const store = new MemoryStore();
    const lanes = new ThreadLanes(store, 1_000, 5_000);
    let together = 0;
    let most = 0;
    const work = (key: string) =>
      lanes.run(key, '1.0', async () => {
        most = Math.max(most, ++together);
        await pause(20);
        together--;
      });
    await Promise.all([work('T:C:1'), work('T:C:2'), work('T:C:3')]);
    expect(most).toBe(3);
    await store.close();
  });
});
