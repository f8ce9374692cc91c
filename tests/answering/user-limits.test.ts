import { ModelSlots } from '../../src/answering/model-slots';
import { UserLimits } from '../../src/answering/user-limits';

describe('UserLimits', () => {
  let now = 0;
  const limits = () => new UserLimits({ maxInFlight: 2, maxPerMinute: 3, now: () => now });

  it('lets a person have maxInFlight questions at once, telling them once per minute when over', () => {
    now = 0;
    const people = limits();
    const first = people.take('U1');
    const second = people.take('U1');
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(people.take('U1')).toEqual({ ok: false, notify: true });
    expect(people.take('U1')).toEqual({ ok: false, notify: false });
    expect(people.take('U2').ok).toBe(true);
    if (first.ok) first.release();
    expect(people.take('U1').ok).toBe(true);
  });

  it('counts questions per minute, whatever is in flight', () => {
    now = 0;
    const people = limits();
    for (let i = 0; i < 3; i++) {
      const place = people.take('U1');
      if (place.ok) place.release();
    }
    expect(people.take('U1').ok).toBe(false);
    now = 60_001;
    expect(people.take('U1').ok).toBe(true);
  });
});

describe('ModelSlots', () => {
  it('runs at most `limit` at once and the rest in arrival order', async () => {
    const slots = new ModelSlots(2);
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const runs = [0, 1, 2, 3].map((n) =>
      slots.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => gates.push(resolve));
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.waiting()).toBe(2);
    gates[1]();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[0]();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    for (const open of gates.slice(2)) open();
    await Promise.all(runs);
  });

  it('lets a waiting call go at once when its signal aborts (shutdown), so it can wind down', async () => {
    const slots = new ModelSlots(1);
    let release!: () => void;
    const busy = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
    const shutdown = new AbortController();
    const waiting = slots.run(async () => 'ran', shutdown.signal);
    shutdown.abort();
    await expect(waiting).resolves.toBe('ran');
    release();
    await busy;
  });
});
