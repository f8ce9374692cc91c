import { randomUUID } from 'node:crypto';
import type { ThreadLeases } from '../store/thread-store';
import { StoreHealth } from './store-health';

const UNREACHABLE = Symbol('unreachable');
const RELEASE_RETRY_MS = 500;

/** A question waiting for its thread. */
interface Waiter {
  /** Its place in the thread: the question's Slack ts in microseconds. */
  order: number;
  /**
   * Names its lease in every request for it: a request that timed out after the store granted it is granted again
   * when asked again, rather than refused as another's until the lease lapses.
   */
  token: string;
  /** Set once it may run: true with the lease, false without (store unreachable, waited too long). */
  leased?: boolean;
  /** Its last request failed unanswered: the lease may be its own, unseen. */
  unsure?: boolean;
  /** Ends the current pause at once: the thread may have just become free here. */
  wake(): void;
}

/** One thread's questions in this process: at most one runs, and only the earliest waiting asks the store. */
interface Lane {
  running: boolean;
  asking: boolean;
  waiting: Waiter[];
}

/**
 * Runs work for one thread one at a time, in the order the questions were asked (their Slack ts), in this process
 * and across instances sharing the store. The earliest question waiting here asks the store for the thread's lease
 * with its order, also while an earlier one runs here, so that it holds its place in the thread's waiting line: the
 * store hands the lease to the lowest order in that line, whichever instance asked. (A first-come lease goes to
 * whoever polls first after a release, so a later question could be answered before an earlier one, without it in
 * its history.) The lease and a place in the line are short and renewed, so that those of a killed instance free
 * the thread within `leaseMs`.
 */
export class ThreadLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly store: ThreadLeases,
    private readonly leaseMs: number,
    private readonly maxWaitMs: number,
    private readonly health = new StoreHealth(),
  ) {}

  /** Runs `work` for the question asked at `ts` once the thread is free here and across instances, in ts order. */
  async run<T>(key: string, ts: string, work: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(key) ?? { running: false, asking: false, waiting: [] };
    this.lanes.set(key, lane);
    const me: Waiter = { order: orderOf(ts), token: randomUUID(), wake: () => undefined };
    lane.waiting.push(me);
    let renewal: NodeJS.Timeout | undefined;
    try {
      await this.acquire(key, lane, me, () => {
        // A failed or lost renewal leaves the work running: at worst another instance starts on the thread alongside.
        renewal = setInterval(
          () => void this.store.renew(key, me.token, this.leaseMs).catch(() => false),
          this.leaseMs / 3,
        );
        renewal.unref();
      });
      return await work();
    } finally {
      clearInterval(renewal);
      if (me.leased) await this.release(key, me.token);
      // Gone ahead without the lease after a request that failed unanswered: it may hold the lease all the same.
      else if (me.unsure) void this.release(key, me.token);
      lane.running = false;
      if (lane.waiting.length === 0) this.lanes.delete(key);
      for (const waiter of lane.waiting) waiter.wake();
    }
  }

  // A release lost to a store outage is retried until it lands or the lease has lapsed anyway: a lease left behind
  // would keep the thread's next question waiting, silently, for up to leaseMs after the store is back.
  private async release(key: string, token: string): Promise<void> {
    const released = () =>
      this.store.unlock(key, token).then(
        () => true,
        () => false,
      );
    if (await released()) return;
    const until = Date.now() + this.leaseMs;
    const retry = setInterval(() => {
      if (Date.now() >= until) clearInterval(retry);
      else void released().then((done) => done && clearInterval(retry));
    }, RELEASE_RETRY_MS);
    retry.unref();
  }

  // A lease held by a killed instance expires within leaseMs; past maxWaitMs we answer anyway rather than never.
  private async acquire(key: string, lane: Lane, me: Waiter, leased: () => void): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    let pause = 20;
    let failingSince: number | undefined;
    for (;;) {
      if (me.leased === undefined && !lane.asking && earliest(lane) === me) {
        lane.asking = true;
        const asked = Date.now();
        const granted: boolean | typeof UNREACHABLE = await this.store
          .lock(key, me.token, this.leaseMs, me.order)
          .catch(() => UNREACHABLE);
        lane.asking = false;
        me.unsure = granted === UNREACHABLE;
        if (me.unsure) failingSince ??= asked;
        else {
          failingSince = undefined;
          this.health.answered();
        }
        if (granted === true) leased();
        // A failed request is asked again, with the same token and keeping this question's place in the line: the
        // store may only be slow, and a question gone ahead without the lease would leave its place there, holding
        // up the thread's next questions on every instance. A store that is down must not stop answers: go ahead
        // without the lease.
        const failing = failingSince !== undefined && this.health.failed(failingSince);
        if (failing || granted === true || Date.now() >= deadline) me.leased = granted === true;
      }
      if (me.leased !== undefined && !lane.running) {
        lane.running = true;
        lane.waiting.splice(lane.waiting.indexOf(me), 1);
        // The next question here takes its place in the store's line at once, before a later one elsewhere does.
        for (const waiter of lane.waiting) waiter.wake();
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => me.wake(), pause);
        me.wake = () => {
          clearTimeout(timer);
          me.wake = () => undefined;
          resolve();
        };
      });
      pause = Math.min(pause * 2, 250);
    }
  }
}

function earliest(lane: Lane): Waiter | undefined {
  let first: Waiter | undefined;
  for (const waiter of lane.waiting) {
    if (!first || waiter.order < first.order) first = waiter;
  }
  return first;
}

/** A Slack ts ("1700000000.000100") as whole microseconds; one too large for that goes last. */
function orderOf(ts: string): number {
  const [seconds, fraction = ''] = ts.split('.');
  const order = Number(seconds) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return Number.isSafeInteger(order) ? order : Number.MAX_SAFE_INTEGER;
}
