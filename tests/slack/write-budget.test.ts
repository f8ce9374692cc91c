import { WriteBudget } from '../../src/slack/write-budget';
import { DEFAULT_WRITE_LIMITS } from '../../src/slack/write-limits';

function clockedBudget(limits?: NonNullable<ConstructorParameters<typeof WriteBudget>[0]>['limits']) {
  const clock = { now: 1_000_000 };
  const budget = new WriteBudget({ limits, now: () => clock.now });
  return { clock, budget };
}

describe('WriteBudget', () => {
  it('defaults to a little under Slack’s tiers', () => {
    expect(DEFAULT_WRITE_LIMITS['chat.startStream'].team).toEqual({ limit: 18, windowMs: 60_000 });
    expect(DEFAULT_WRITE_LIMITS['chat.stopStream'].team).toEqual({ limit: 18, windowMs: 60_000 });
    expect(DEFAULT_WRITE_LIMITS['chat.appendStream'].team).toEqual({ limit: 90, windowMs: 60_000 });
    expect(DEFAULT_WRITE_LIMITS['chat.update'].team).toEqual({ limit: 45, windowMs: 60_000 });
    expect(DEFAULT_WRITE_LIMITS['chat.postMessage'].perKey).toEqual({ limit: 1, windowMs: 1_000 });
  });

  it('allows the limit within a sliding window, then frees slots as the oldest calls age out', () => {
    const { clock, budget } = clockedBudget();
    for (let n = 0; n < 18; n++) {
      expect(budget.tryTake('T1', 'chat.startStream')).toBe(true);
      clock.now += 1_000;
    }
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(false);
    // The first call was at 1,000,000; it ages out at 1,060,000, 42 s from now.
    expect(budget.nextFreeIn('T1', 'chat.startStream')).toBe(42_000);
    clock.now += 41_999;
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(false);
    clock.now += 1;
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(true);
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(false);
  });

  it('keeps teams and methods apart', () => {
    const { budget } = clockedBudget({ 'chat.update': { team: { limit: 1, windowMs: 60_000 } } });
    expect(budget.tryTake('T1', 'chat.update')).toBe(true);
    expect(budget.tryTake('T1', 'chat.update')).toBe(false);
    expect(budget.tryTake('T2', 'chat.update')).toBe(true);
    expect(budget.tryTake('T1', 'chat.appendStream')).toBe(true);
  });

  it('applies the per-key limit and the team cap together', () => {
    const { clock, budget } = clockedBudget({
      'chat.postMessage': { team: { limit: 3, windowMs: 60_000 }, perKey: { limit: 1, windowMs: 1_000 } },
    });
    expect(budget.tryTake('T1', 'chat.postMessage', 'C1')).toBe(true);
    expect(budget.tryTake('T1', 'chat.postMessage', 'C1')).toBe(false);
    expect(budget.nextFreeIn('T1', 'chat.postMessage', 'C1')).toBe(1_000);
    expect(budget.tryTake('T1', 'chat.postMessage', 'C2')).toBe(true);
    clock.now += 1_000;
    expect(budget.tryTake('T1', 'chat.postMessage', 'C1')).toBe(true);
    clock.now += 1_000;
    expect(budget.tryTake('T1', 'chat.postMessage', 'C3')).toBe(false);
    expect(budget.nextFreeIn('T1', 'chat.postMessage', 'C3')).toBe(58_000);
  });

  it('counts a reservation from the moment it is made, and records its use when used', () => {
    const { clock, budget } = clockedBudget({ 'chat.stopStream': { team: { limit: 2, windowMs: 60_000 } } });
    const first = budget.reserve('T1', 'chat.stopStream');
    const second = budget.reserve('T1', 'chat.stopStream');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(budget.reserve('T1', 'chat.stopStream')).toBeNull();
    expect(budget.tryTake('T1', 'chat.stopStream')).toBe(false);
    expect(budget.nextFreeIn('T1', 'chat.stopStream')).toBe(60_000);

    second!.cancel();
    second!.cancel();
    expect(budget.tryTake('T1', 'chat.stopStream')).toBe(true);

    clock.now += 30_000;
    first!.use();
    first!.use();
    first!.cancel();
    // Used at +30 s, so it holds its slot until +90 s; the tryTake at +0 s ages out at +60 s.
    clock.now += 29_999;
    expect(budget.tryTake('T1', 'chat.stopStream')).toBe(false);
    expect(budget.nextFreeIn('T1', 'chat.stopStream')).toBe(1);
    clock.now += 1;
    expect(budget.tryTake('T1', 'chat.stopStream')).toBe(true);
    expect(budget.nextFreeIn('T1', 'chat.stopStream')).toBe(30_000);
  });

  it('frees a reservation never used nor cancelled once its time to live has passed', () => {
    const clock = { now: 0 };
    const budget = new WriteBudget({
      now: () => clock.now,
      reservationTtlMs: 10 * 60_000,
      limits: { 'chat.stopStream': { team: { limit: 1, windowMs: 60_000 } } },
    });
    const forgotten = budget.reserve('T1', 'chat.stopStream');
    expect(forgotten).not.toBeNull();
    clock.now = 10 * 60_000 - 1;
    expect(budget.reserve('T1', 'chat.stopStream')).toBeNull();
    clock.now = 10 * 60_000;
    expect(budget.nextFreeIn('T1', 'chat.stopStream')).toBe(0);
    // A late use still counts: the call is made.
    forgotten!.use();
    expect(budget.tryTake('T1', 'chat.stopStream')).toBe(false);
  });

  it('stays correct while idle windows are swept and many teams come and go', () => {
    const { clock, budget } = clockedBudget({ 'chat.update': { team: { limit: 2, windowMs: 60_000 } } });
    expect(budget.tryTake('keep', 'chat.update')).toBe(true);
    const held = budget.reserve('keep', 'chat.update');
    for (let n = 0; n < 5_000; n++) {
      clock.now += 100;
      budget.tryTake(`T${n}`, 'chat.update');
    }
    // 500 s later the first call has aged out but the reservation still holds a slot.
    expect(budget.tryTake('keep', 'chat.update')).toBe(true);
    expect(budget.tryTake('keep', 'chat.update')).toBe(false);
    held!.cancel();
    expect(budget.tryTake('keep', 'chat.update')).toBe(true);
  });
});
