import { ByteBudget, DownloadSlots } from '../../src/files/download-slots';

const never = new AbortController().signal;

describe('DownloadSlots', () => {
  it('runs at most `size` tasks at once and starts waiting ones in arrival order', async () => {
    const slots = new DownloadSlots(2);
    const started: number[] = [];
    const gates = Array.from({ length: 4 }, () => Promise.withResolvers<void>());
    const runs = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(slots.running).toBe(0);
  });

  it('gives the slot back when a task throws', async () => {
    const slots = new DownloadSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('ByteBudget', () => {
  it('makes a reservation wait until earlier ones are given back, first come first served', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.reserve(80, never);
    const order: string[] = [];
    const big = budget.reserve(60, never).then((release) => {
      order.push('big');
      return release;
    });
    const small = budget.reserve(10, never).then((release) => {
      order.push('small');
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first?.();
    first?.(); // a second release gives nothing back twice
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(budget.free).toBe(30);
  });

  it('answers undefined when the wait is aborted, and caps a reservation at the whole budget', async () => {
    const budget = new ByteBudget(100);
    const all = await budget.reserve(1_000, never);
    expect(budget.free).toBe(0);
    await expect(budget.reserve(1, AbortSignal.timeout(5))).resolves.toBeUndefined();
    all?.();
    expect(budget.free).toBe(100);
  });
});
