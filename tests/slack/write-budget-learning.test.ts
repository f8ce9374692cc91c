// The write budget learning from Slack's 429s, and waking those who wait for a slot with one timer.
import { WriteBudget } from '../../src/slack/write-budget';

const MINUTE = 60_000;

function clocked(
  learning?: ConstructorParameters<typeof WriteBudget>[0] extends infer O
    ? O extends { learning?: infer L }
      ? L
      : never
    : never,
) {
  const clock = { now: 1_000_000 };
  const budget = new WriteBudget({ now: () => clock.now, learning });
  return { clock, budget };
}

describe('learning from 429s', () => {
  it('holds back only the rate-limited method, for its Retry-After, in that workspace', () => {
    const { clock, budget } = clocked();
    budget.tryTake('T1', 'chat.startStream');
    budget.penalize('T1', 'chat.startStream', 3_000);
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(false);
    expect(budget.nextFreeIn('T1', 'chat.startStream')).toBe(3_000);
    expect(budget.tryTake('T1', 'chat.appendStream')).toBe(true);
    expect(budget.tryTake('T1', 'chat.update')).toBe(true);
    expect(budget.tryTake('T2', 'chat.startStream')).toBe(true);
    clock.now += 3_000;
    expect(budget.tryTake('T1', 'chat.startStream')).toBe(true);
  });

  it('shrinks the allowance below what was in use when the 429 came', () => {
    const { clock, budget } = clocked();
    for (let n = 0; n < 15; n++) budget.tryTake('T1', 'chat.startStream');
    budget.penalize('T1', 'chat.startStream', 1_000);
    clock.now += MINUTE;
    let taken = 0;
    while (budget.tryTake('T1', 'chat.startStream')) taken++;
    expect(taken).toBe(12);
  });

  it('grows back after quiet spells, a tenth at a time, up to its ceiling', () => {
    const { clock, budget } = clocked({ ceilingFactor: 1.5, growAfterMs: 10 * MINUTE });
    const allowance = () => {
      let taken = 0;
      while (budget.tryTake('T1', 'chat.update')) taken++;
      clock.now += MINUTE;
      return taken;
    };
    for (let n = 0; n < 40; n++) budget.tryTake('T1', 'chat.update');
    budget.penalize('T1', 'chat.update', 1_000);
    clock.now += MINUTE;
    expect(allowance()).toBe(32);
    clock.now += 8 * MINUTE;
    expect(allowance()).toBe(37);
    clock.now += 60 * MINUTE;
    expect(allowance()).toBe(67);
  });

  it('by default grows back to Slack’s documented tier and no further', () => {
    const { clock, budget } = clocked();
    budget.penalize('T1', 'chat.update', 1_000);
    clock.now += 24 * 60 * MINUTE;
    let taken = 0;
    while (budget.tryTake('T1', 'chat.update')) taken++;
    expect(taken).toBe(45);
  });

  it('holds a per-channel 429 against that channel only', () => {
    const { budget } = clocked();
    budget.penalize('T1', 'chat.postMessage', 2_000, 'C1');
    expect(budget.tryTake('T1', 'chat.postMessage', 'C1')).toBe(false);
    expect(budget.tryTake('T1', 'chat.postMessage', 'C2')).toBe(true);
  });
});

describe('pressure', () => {
  it('goes from calm to busy to saturated as the stream and update tiers fill', () => {
    const { budget } = clocked();
    expect(budget.pressure('T1')).toBe('calm');
    while (budget.reserve('T1', 'chat.stopStream')) {}
    expect(budget.pressure('T1')).toBe('busy');
    while (budget.tryTake('T1', 'chat.update')) {}
    expect(budget.pressure('T1')).toBe('saturated');
    expect(budget.pressure('T2')).toBe('calm');
  });
});

describe('waiting for a slot', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wakes waiters in order, as many as there are slots, with one timer however many wait', async () => {
    const budget = new WriteBudget({ limits: { 'chat.update': { team: { limit: 2, windowMs: 1_000 } } } });
    budget.tryTake('T1', 'chat.update');
    budget.tryTake('T1', 'chat.update');
    const served: number[] = [];
    for (let n = 0; n < 100; n++) {
      const wake = () =>
        budget.tryTake('T1', 'chat.update') ? served.push(n) : budget.whenFree('T1', 'chat.update', wake);
      budget.whenFree('T1', 'chat.update', wake);
    }
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(served).toEqual([0, 1]);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(served).toEqual([0, 1, 2, 3]);
    expect(budget.waiting()).toBe(96);
  });

  it('wakes a waiter as soon as a reservation is given back', async () => {
    const budget = new WriteBudget({ limits: { 'chat.stopStream': { team: { limit: 1, windowMs: 60_000 } } } });
    const held = budget.reserve('T1', 'chat.stopStream');
    let woken = false;
    budget.whenFree('T1', 'chat.stopStream', () => {
      woken = true;
    });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(woken).toBe(false);
    held?.cancel();
    await jest.advanceTimersByTimeAsync(20);
    expect(woken).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
