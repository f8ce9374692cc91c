// Two instances' budgets sharing one workspace's allowance through capacity leases (a store stand-in).

import { LEASE_MS } from '../../src/slack/leased-credits';
import { WriteBudget } from '../../src/slack/write-budget';
import type { CapacityLeases } from '../../src/store/capacity-leases';
import { recordingLogger } from '../helpers/recording-logger';

/** What Redis or PostgreSQL do for capacity leases, in memory: grants (and slots given back) held until they expire. */
function sharedLeases(now: () => number): CapacityLeases & { calls: number } {
  const grants = new Map<string, Array<{ slots: number; until: number }>>();
  const live = (key: string) => {
    const held = (grants.get(key) ?? []).filter((grant) => grant.until > now());
    grants.set(key, held);
    return held;
  };
  return {
    calls: 0,
    async takeCapacity(team, method, want, limit, holdMs) {
      this.calls++;
      const held = live(`${team}/${method}`);
      const used = held.reduce((sum, grant) => sum + grant.slots, 0);
      const granted = Math.max(0, Math.min(want, limit - used));
      if (granted > 0) held.push({ slots: granted, until: now() + holdMs });
      return granted;
    },
    async returnCapacity(team, method, slots, holdMs) {
      live(`${team}/${method}`).push({ slots: -slots, until: now() + holdMs });
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Takes slots of `method` from each budget in turn, letting leases arrive between tries, until neither gets one. */
async function takeAll(budgets: WriteBudget[], method: 'chat.startStream' | 'chat.postMessage', tries = 200) {
  const taken = budgets.map(() => 0);
  for (let n = 0; n < tries; n++) {
    budgets.forEach((budget, i) => {
      if (budget.tryTake('T1', method)) taken[i]++;
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return taken;
}

describe('a write budget with capacity leases', () => {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;

  it('keeps two instances together within one workspace’s allowance', async () => {
    const leases = sharedLeases(now);
    const budgets = [new WriteBudget({ now, leases }), new WriteBudget({ now, leases })];
    const taken = await takeAll(budgets, 'chat.startStream');
    expect(taken[0] + taken[1]).toBe(18);
    expect(Math.min(...taken)).toBeGreaterThan(0);
  });

  it('asks the store for slots in batches, not once per write', async () => {
    const leases = sharedLeases(now);
    const budget = new WriteBudget({ now, leases });
    const [taken] = await takeAll([budget], 'chat.postMessage', 400);
    expect(taken).toBe(300);
    expect(leases.calls).toBeLessThanOrEqual(15);
  });

  it('has slots on hand by the first write when leased as the answer starts', async () => {
    const budget = new WriteBudget({ now, leases: sharedLeases(now) });
    budget.prepare('T1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(budget.pressure('T1')).toBe('calm');
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(true);
  });

  it('budgets locally, with one warning, when the store cannot lease', async () => {
    const logger = recordingLogger();
    const failing: CapacityLeases = {
      takeCapacity: () => Promise.reject(new Error('store down')),
      returnCapacity: () => Promise.reject(new Error('store down')),
    };
    const budget = new WriteBudget({ now, leases: failing, logger });
    const [taken] = await takeAll([budget], 'chat.startStream');
    expect(taken).toBe(18);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });

  it('gives slots leased and not used back when their lease ends, so the other instance can use them this minute', async () => {
    // Before: an instance that leased a batch and needed little of it held the rest out of the allowance for a
    // minute, and the other instance's answers waited that long for a slot (20 answers 44 s late in the bench).
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const wallClock = () => Date.now();
      const leases = sharedLeases(wallClock);
      const quiet = new WriteBudget({ now: wallClock, leases });
      const busy = new WriteBudget({ now: wallClock, leases });
      quiet.prepare('T1');
      await settle();
      const [first] = await takeAll([busy], 'chat.startStream');
      expect(first).toBe(16);
      // The quiet instance does nothing more: its lease simply runs out.
      jest.advanceTimersByTime(LEASE_MS + 1);
      await settle();
      const [after] = await takeAll([busy], 'chat.startStream');
      expect(after).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never uses a slot after its own lease ended, however many grants came after it', async () => {
    // Before, each grant stretched every slot on hand to its own lease: slots could be used after the store stopped
    // counting them, so instances together could pass the workspace's allowance.
    const leases = sharedLeases(now);
    const budget = new WriteBudget({ now, leases });
    const start = clock.now;
    budget.prepare('T1');
    await settle();
    clock.now = start + 3_000;
    for (let n = 0; n < 15; n++) expect(budget.tryTake('T1', 'chat.postMessage')).toBe(true);
    budget.available('T1', 'chat.postMessage');
    await settle();
    expect(budget.available('T1', 'chat.postMessage')).toBe(15 + 30);
    clock.now = start + LEASE_MS + 500;
    // The first grant's 15 are gone; the second grant's 30, leased 3 s later, are still good.
    expect(budget.available('T1', 'chat.postMessage')).toBe(30);
  });
});
