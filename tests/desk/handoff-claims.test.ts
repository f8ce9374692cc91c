import { CLAIM_RETRIES } from '../../src/answering/claim-decision';
import { StoreHealth } from '../../src/answering/store-health';
import { ALREADY_HANDED_OFF, HANDING_OFF } from '../../src/answering/wording';
import { createHandoff } from '../../src/desk/handoff';
import { StoreError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import type { ClaimBook } from '../../src/store/thread-store';
import { HANDOFF_CLICK, type RecordingDeskSlack, recordingDeskSlack, SUMMARY, summarist } from '../helpers/desk-fakes';
import { recordingLogger } from '../helpers/recording-logger';

const DAY = 86_400_000;
/** Short pauses, so that retries take milliseconds. */
const FAST = { ...CLAIM_RETRIES, pauseMs: 5, maxPauseMs: 20 };
/** A window no slow machine reaches by accident, for the cases about deciding rather than outages. */
const NEVER_DOWN_MS = 60_000;

/** How one claim call fails: `unsent` never reaches the store; `unheard` lands, but its reply is lost (a timeout). */
type Fault = 'unsent' | 'unheard';

/** One instance's claim calls to the shared store, failing as scripted; `calls` counts them. */
function reach(store: MemoryStore, faults: Fault[]) {
  let calls = 0;
  const fault = async (call: () => Promise<boolean>) => {
    calls++;
    const next = faults.shift();
    if (next === 'unsent')
      throw new StoreError('Postgres store: claim failed: timeout exceeded when trying to connect');
    const won = await call();
    if (next === 'unheard') throw new StoreError('Postgres store: claim failed: Query read timeout');
    return won;
  };
  const claims: Pick<ClaimBook, 'claim' | 'reclaim' | 'complete'> = {
    claim: (...args) => fault(() => store.claim(...args)),
    reclaim: (...args) => fault(() => store.reclaim(...args)),
    complete: (id) => store.complete(id),
  };
  return { claims, calls: () => calls };
}

/** One bot instance's handoff, reaching the shared store through its own scripted faults. */
function instance(store: MemoryStore, faults: Fault[], seen: RecordingDeskSlack, downAfterMs: number) {
  const logger = recordingLogger();
  const reached = reach(store, faults);
  const handOff = createHandoff({
    book: store.desk,
    claims: reached.claims,
    history: store,
    writer: seen.writer,
    side: seen.side,
    llm: summarist,
    logger,
    retentionMs: DAY,
    webhookUrl: () => undefined,
    storeHealth: new StoreHealth(downAfterMs),
    claimRetries: FAST,
  });
  return { handOff, logger, calls: reached.calls };
}

describe('a handoff whose claim the store did not decide', () => {
  it.each<[string, Fault[], Fault[]]>([
    ['the other claim timed out after landing too', ['unheard'], ['unheard']],
    ['the other claim never reached the store', ['unheard'], ['unsent']],
    ['the other claim went through', ['unheard'], []],
  ])('is posted once when its claim landed but timed out, and %s', async (_case, faultsA, faultsB) => {
    const store = new MemoryStore();
    const seen = recordingDeskSlack();
    const [a, b] = [instance(store, faultsA, seen, NEVER_DOWN_MS), instance(store, faultsB, seen, NEVER_DOWN_MS)];
    const results = await Promise.all([a.handOff(HANDOFF_CLICK), b.handOff(HANDOFF_CLICK)]);
    expect(results).toEqual(['handed-off', 'already']);
    expect(seen.escalations).toHaveLength(1);
    expect(seen.escalations[0]).toContain(SUMMARY);
    expect(seen.thread.filter((text) => text === ALREADY_HANDED_OFF)).toHaveLength(1);
    await store.close();
  });

  it('shows the asker a status line while the store decides, before any reply', async () => {
    const store = new MemoryStore();
    const seen = recordingDeskSlack();
    const a = instance(store, ['unsent', 'unsent', 'unheard'], seen, NEVER_DOWN_MS);
    expect(await a.handOff(HANDOFF_CLICK)).toBe('handed-off');
    expect(a.calls()).toBe(4);
    expect(seen.thread[0]).toBe(`status: ${HANDING_OFF}`);
    expect(seen.thread).toHaveLength(2);
    await store.close();
  });
});

describe('a handoff that went through', () => {
  it('leaves nothing for a recovery sweep to mistake for an unanswered question, and still refuses a second', async () => {
    const store = new MemoryStore();
    const seen = recordingDeskSlack();
    const a = instance(store, [], seen, NEVER_DOWN_MS);
    expect(await a.handOff(HANDOFF_CLICK)).toBe('handed-off');
    expect(await store.takeStale(0)).toEqual([]);
    expect(await a.handOff({ ...HANDOFF_CLICK, via: 'phrase', latest: 'a person please' })).toBe('already');
    expect(seen.escalations).toHaveLength(1);
    await store.close();
  });
});

describe('a handoff while the store decides nothing at all', () => {
  const down = (): Fault[] => Array.from({ length: 1000 }, () => 'unsent');

  it('still reaches a person, once, after the store has been undecided for the health window', async () => {
    const store = new MemoryStore();
    const seen = recordingDeskSlack();
    const a = instance(store, down(), seen, 100);
    const startedAt = Date.now();
    expect(await a.handOff(HANDOFF_CLICK)).toBe('handed-off');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
    expect(a.calls()).toBeGreaterThan(1);
    expect(seen.escalations).toHaveLength(1);
    // This process remembers it: asked again during the outage, at once, it is not posted twice.
    const before = a.calls();
    expect(await a.handOff({ ...HANDOFF_CLICK, via: 'phrase', latest: 'I need a human' })).toBe('already');
    expect(a.calls() - before).toBe(1);
    expect(seen.escalations).toHaveLength(1);
    const fallbacks = a.logger.lines.filter((line) => line.message === 'store unreachable: handing off without memory');
    expect(fallbacks).toHaveLength(2);
    await store.close();
  });
});
