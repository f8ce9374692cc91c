import { startRecovery } from '../../src/answering/recovery';
import type { IncomingMessage } from '../../src/conversation/incoming';
import type { PendingClaim } from '../../src/store/thread-store';
import { recordingLogger } from '../helpers/recording-logger';

const INTERVAL = 40;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function question(ts: string): IncomingMessage {
  return { source: 'message', team: 'T1', channel: 'D1', channelType: 'im', user: 'U1', text: 'help', ts };
}

/** A claim store that records heartbeats and hands out `stale` once; `takeStale` can be made to hang. */
function claimStore(stale: Array<PendingClaim & { written: string[] }> = []) {
  const touches: string[][] = [];
  let hang = false;
  let handedOut = false;
  return {
    touches,
    takes: 0,
    hangTakes() {
      hang = true;
    },
    async touch(ids: string[]) {
      touches.push(ids);
    },
    takeStale(): Promise<Array<PendingClaim & { written: string[] }>> {
      this.takes++;
      if (hang) return new Promise(() => undefined);
      if (handedOut) return Promise.resolve([]);
      handedOut = true;
      return Promise.resolve(stale);
    },
    async complete() {},
  };
}

function handler(own: string[] = []) {
  const resumed: Array<{ ts: string; written: string[] }> = [];
  const givenUp: string[] = [];
  return {
    resumed,
    givenUp,
    claimedIds: () => own,
    resume: (message: IncomingMessage, written: string[]) => {
      resumed.push({ ts: message.ts, written });
    },
    giveUp: (message: IncomingMessage) => {
      givenUp.push(message.ts);
    },
  };
}

const options = { windowMs: 60_000, staleMs: 1_000, intervalMs: INTERVAL };

describe('recovery', () => {
  it('keeps heartbeating its own claims while a sweep is stuck on the store', async () => {
    const store = claimStore();
    store.hangTakes();
    const recovery = startRecovery({ store, handler: handler(['T1:D1:1.0']), logger: recordingLogger() }, options);
    await pause(INTERVAL * 6);
    recovery.stop();
    expect(store.touches.length).toBeGreaterThanOrEqual(3);
    expect(store.touches.every((ids) => ids[0] === 'T1:D1:1.0')).toBe(true);
  });

  it('hands stale questions on without waiting for them, with what their dead claimer wrote', async () => {
    const now = Date.now() / 1000;
    const fresh = { id: 'T1:D1:a', payload: JSON.stringify(question(`${now}`)), claimedAt: 0, written: ['9.1', '9.2'] };
    const old = { id: 'T1:D1:b', payload: JSON.stringify(question(`${now - 3600}`)), claimedAt: 0, written: [] };
    const declined = { id: 'T1:D1:c', payload: '', claimedAt: 0, written: [] };
    const mine = { id: 'T1:D1:mine', payload: JSON.stringify(question(`${now}`)), claimedAt: 0, written: [] };
    const store = claimStore([fresh, old, declined, mine]);
    const questions = handler(['T1:D1:mine']);
    const recovery = startRecovery({ store, handler: questions, logger: recordingLogger() }, options);
    await pause(10);
    recovery.stop();
    expect(questions.resumed).toEqual([{ ts: `${now}`, written: ['9.1', '9.2'] }]);
    expect(questions.givenUp).toEqual([`${now - 3600}`]);
  });

  it('takes over nothing once draining, but still heartbeats', async () => {
    const store = claimStore();
    const recovery = startRecovery({ store, handler: handler(['T1:D1:1.0']), logger: recordingLogger() }, options);
    await pause(5);
    recovery.stopTakeovers();
    const takes = store.takes;
    await pause(INTERVAL * 4);
    recovery.stop();
    expect(store.takes).toBe(takes);
    expect(store.touches.length).toBeGreaterThanOrEqual(2);
  });
});
