import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CapacityLeases } from '../../src/store/capacity-leases';

/**
 * What every shared store's capacity leases must do: several instances (here, several connections) taking slots of
 * one workspace method's allowance never get more than its limit between them while the slots are held.
 */
export function runCapacityContract(name: string, open: () => Promise<CapacityLeases & { close(): Promise<void> }>) {
  describe(`${name}: capacity leases`, () => {
    let first: CapacityLeases & { close(): Promise<void> };
    let second: CapacityLeases & { close(): Promise<void> };
    const team = () => `T${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      [first, second] = await Promise.all([open(), open()]);
    });
    afterAll(async () => {
      await Promise.all([first.close(), second.close()]);
    });

    it('grants what is asked while the allowance lasts, then what is left, then nothing', async () => {
      const t = team();
      expect(await first.takeCapacity(t, 'chat.startStream', 8, 20, 60_000)).toBe(8);
      expect(await second.takeCapacity(t, 'chat.startStream', 8, 20, 60_000)).toBe(8);
      expect(await first.takeCapacity(t, 'chat.startStream', 8, 20, 60_000)).toBe(4);
      expect(await second.takeCapacity(t, 'chat.startStream', 8, 20, 60_000)).toBe(0);
    });

    it('keeps workspaces and methods apart', async () => {
      const t = team();
      expect(await first.takeCapacity(t, 'chat.update', 5, 5, 60_000)).toBe(5);
      expect(await second.takeCapacity(t, 'chat.update', 1, 5, 60_000)).toBe(0);
      expect(await second.takeCapacity(t, 'chat.postMessage', 1, 5, 60_000)).toBe(1);
      expect(await second.takeCapacity(team(), 'chat.update', 1, 5, 60_000)).toBe(1);
    });

    it('never grants more than the limit between instances asking at the same moment', async () => {
      const t = team();
      const asks = Array.from({ length: 40 }, (_, n) =>
        (n % 2 ? first : second).takeCapacity(t, 'chat.update', 3, 45, 60_000),
      );
      const granted = (await Promise.all(asks)).reduce((sum, n) => sum + n, 0);
      expect(granted).toBe(45);
    });

    it('counts slots given back unused no more, and only for the time they were given back for', async () => {
      const t = team();
      expect(await first.takeCapacity(t, 'chat.startStream', 4, 4, 60_000)).toBe(4);
      await first.returnCapacity(t, 'chat.startStream', 3, 300);
      expect(await second.takeCapacity(t, 'chat.startStream', 4, 4, 60_000)).toBe(3);
      // The return has run out: the grant it offset counts in full again, so nothing is left.
      await sleep(400);
      expect(await second.takeCapacity(t, 'chat.startStream', 1, 4, 60_000)).toBe(0);
    });

    it('ignores slots given back when nothing is held any more', async () => {
      const t = team();
      await first.returnCapacity(t, 'chat.update', 5, 60_000);
      expect(await second.takeCapacity(t, 'chat.update', 5, 2, 60_000)).toBe(2);
    });

    it('gives slots back once they have been held for their time', async () => {
      const t = team();
      expect(await first.takeCapacity(t, 'chat.stopStream', 2, 2, 300)).toBe(2);
      expect(await second.takeCapacity(t, 'chat.stopStream', 1, 2, 300)).toBe(0);
      await sleep(400);
      expect(await second.takeCapacity(t, 'chat.stopStream', 1, 2, 300)).toBe(1);
    });
  });
}
