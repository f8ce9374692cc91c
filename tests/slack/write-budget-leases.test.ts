// Two instances' budgets sharing one workspace's allowance through capacity leases (a store stand-in).

import { WriteBudget } from '../../src/slack/write-budget';
import type { CapacityLeases } from '../../src/store/capacity-leases';
import { recordingLogger } from '../helpers/recording-logger';

/** What Redis or PostgreSQL do for takeCapacity, in memory: grants held until they expire. */
function sharedLeases(now: () => number): CapacityLeases & { calls: number } {
  const grants = new Map<string, Array<{ slots: number; until: number }>>();
  return {
    calls: 0,
    async takeCapacity(team, method, want, limit, holdMs) {
      this.calls++;
      const key = `${team}/${method}`;
      const live = (grants.get(key) ?? []).filter((grant) => grant.until > now());
      const used = live.reduce((sum, grant) => sum + grant.slots, 0);
      const granted = Math.max(0, Math.min(want, limit - used));
      if (granted > 0) live.push({ slots: granted, until: now() + holdMs });
      grants.set(key, live);
      return granted;
    },
  };
}

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
    const failing: CapacityLeases = { takeCapacity: () => Promise.reject(new Error('store down')) };
    const budget = new WriteBudget({ now, leases: failing, logger });
    const [taken] = await takeAll([budget], 'chat.startStream');
    expect(taken).toBe(18);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });
});
