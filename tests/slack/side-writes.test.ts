import { createSideWriter, type ThreadPlace } from '../../src/slack/side-writes';
import { WriteBudget } from '../../src/slack/write-budget';
import type { MethodLimits, WriteMethod } from '../../src/slack/write-limits';
import { recordingLogger } from '../helpers/recording-logger';
import { RecordingSlackClient, rateLimitedError } from '../helpers/recording-slack-client';

const PLACE: ThreadPlace = { team: 'T1', channel: 'C1', threadTs: '1700000000.000001' };

function setup(limits?: Partial<Record<WriteMethod, MethodLimits>>) {
  const client = new RecordingSlackClient({ latencyMs: 30 });
  const budget = new WriteBudget({ limits });
  const logger = recordingLogger();
  const side = createSideWriter({ client, budget, logger });
  return { client, budget, logger, side };
}

/** Advances fake time until the promise settles. */
async function settle<T>(promise: Promise<T>, maxMs = 5 * 60_000): Promise<T> {
  let done: { value: T } | undefined;
  void promise.then((value) => {
    done = { value };
  });
  for (let waited = 0; !done && waited < maxMs; waited += 50) await jest.advanceTimersByTimeAsync(50);
  if (!done) throw new Error(`did not settle within ${maxMs} ms`);
  return done.value;
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-11-02T09:00:00Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('post', () => {
  it('posts at once and resolves to the new message’s ts', async () => {
    const { client, side } = setup();
    const ts = await settle(side.post(PLACE, 'Sorry, something went wrong.'));
    expect(client.calls).toHaveLength(1);
    expect(client.thread('C1', PLACE.threadTs)).toEqual([
      expect.objectContaining({ ts, text: 'Sorry, something went wrong.', via: 'post' }),
    ]);
  });

  it('waits its turn: one post per second per channel, in the order asked, other channels unaffected', async () => {
    const { client, side } = setup();
    const start = Date.now();
    const posts = [side.post(PLACE, 'one'), side.post(PLACE, 'two'), side.post(PLACE, 'three')];
    const elsewhere = side.post({ ...PLACE, channel: 'C2' }, 'elsewhere');
    await settle(Promise.all([...posts, elsewhere]));
    const inC1 = client.calls.filter((call) => call.args.channel === 'C1');
    expect(inC1.map((call) => call.args.text)).toEqual(['one', 'two', 'three']);
    expect(inC1.map((call) => call.at - start)).toEqual([0, 1_000, 2_000]);
    expect(client.calls.find((call) => call.args.channel === 'C2')!.at).toBe(start);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('shares the budget with the answers: a channel slot taken by a reply delays the post', async () => {
    const { client, budget, side } = setup();
    const start = Date.now();
    expect(budget.tryTake('T1', 'chat.postMessage', 'C1')).toBe(true);
    await settle(side.post(PLACE, 'notice'));
    expect(client.calls[0].at - start).toBe(1_000);
  });

  it('retries once after a 429’s Retry-After, then gives up with undefined', async () => {
    const { client, side, logger } = setup();
    client.failNext('chat.postMessage', rateLimitedError(3));
    const start = Date.now();
    expect(await settle(side.post(PLACE, 'retried'))).toEqual(expect.any(String));
    expect(client.calls.map((call) => call.at - start)).toEqual([0, 3_030]);

    client.failNext('chat.postMessage', rateLimitedError(2), 2);
    expect(await settle(side.post(PLACE, 'SECRET words'))).toBeUndefined();
    expect(client.calls).toHaveLength(4);
    expect(logger.lines.some((line) => line.level === 'warn')).toBe(true);
    expect(JSON.stringify(logger.lines)).not.toContain('SECRET');

    // The last Retry-After still holds: the next post waits it out instead of collecting another 429.
    const limitedAt = client.calls[3].at + 30;
    await settle(side.post(PLACE, 'after the wait'));
    expect(client.calls[4].at - limitedAt).toBeGreaterThanOrEqual(2_000);
  });

  it('resolves to undefined, never rejects, when Slack refuses the post', async () => {
    const { client, side } = setup();
    client.failNext('chat.postMessage', 'not_in_channel');
    expect(await settle(side.post(PLACE, 'hi'))).toBeUndefined();
    expect(client.calls).toHaveLength(1);
  });
});

describe('status', () => {
  it('sets and clears the thread’s status line', async () => {
    const { client, side } = setup();
    await settle(side.status(PLACE, 'is looking into it…'));
    expect(client.statuses.get(`C1/${PLACE.threadTs}`)).toBe('is looking into it…');
    await settle(side.status(PLACE, ''));
    expect(client.statuses.get(`C1/${PLACE.threadTs}`)).toBe('');
  });

  it('drops the status when the budget has no room, without waiting', async () => {
    const { client, side, logger } = setup({ 'assistant.threads.setStatus': { team: { limit: 1, windowMs: 60_000 } } });
    await settle(side.status(PLACE, 'first'));
    await settle(side.status(PLACE, 'second'));
    expect(client.calls.map((call) => call.args.status)).toEqual(['first']);
    expect(logger.lines.some((line) => line.level === 'debug' && line.message.includes('dropped'))).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops the status first when the workspace is under pressure, while posts still go out', async () => {
    const { client, side, budget } = setup();
    while (budget.tryTake(PLACE.team, 'chat.startStream')) {}
    await settle(side.status(PLACE, 'is looking into it…'));
    expect(await settle(side.post(PLACE, 'Sorry, one moment.'))).toBeDefined();
    expect(client.calls.map((call) => call.method)).toEqual(['chat.postMessage']);
    expect(budget.available(PLACE.team, 'assistant.threads.setStatus')).toBeGreaterThan(0);
  });

  it('after a 429, drops statuses until the Retry-After has passed, and never rejects', async () => {
    const { client, side } = setup();
    client.failNext('assistant.threads.setStatus', rateLimitedError(10));
    await settle(side.status(PLACE, 'limited'));
    await settle(side.status(PLACE, 'too soon'));
    expect(client.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10_000);
    await settle(side.status(PLACE, 'later'));
    expect(client.calls.map((call) => call.args.status)).toEqual(['limited', 'later']);
  });
});

describe('suggestPrompts', () => {
  const PROMPTS = [{ title: 'VPN', message: 'Help me with the VPN' }];

  it('offers the prompts for the DM, without a thread (an agent-view call with one silently fails)', async () => {
    const { client, side } = setup();
    await settle(side.suggestPrompts('T1', 'D1', PROMPTS));
    expect(client.calls.map((call) => [call.method, call.args])).toEqual([
      ['assistant.threads.setSuggestedPrompts', { channel_id: 'D1', prompts: PROMPTS }],
    ]);
  });

  it('is dropped, not queued, when the workspace is under pressure or the method has no room', async () => {
    const { client, side, budget } = setup({
      'assistant.threads.setSuggestedPrompts': { team: { limit: 1, windowMs: 60_000 } },
    });
    await settle(side.suggestPrompts('T1', 'D1', PROMPTS));
    await settle(side.suggestPrompts('T1', 'D2', PROMPTS));
    expect(client.calls.map((call) => call.args.channel_id)).toEqual(['D1']);
    while (budget.tryTake('T2', 'chat.startStream')) {}
    await settle(side.suggestPrompts('T2', 'D3', PROMPTS));
    expect(client.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('after a 429, holds the method back for its Retry-After, and never rejects', async () => {
    const { client, side } = setup();
    client.failNext('assistant.threads.setSuggestedPrompts', rateLimitedError(10));
    await settle(side.suggestPrompts('T1', 'D1', PROMPTS));
    await settle(side.suggestPrompts('T1', 'D2', PROMPTS));
    expect(client.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10_000);
    await settle(side.suggestPrompts('T1', 'D3', PROMPTS));
    expect(client.calls.map((call) => call.args.channel_id)).toEqual(['D1', 'D3']);
  });
});

describe('remove', () => {
  it('deletes a message and says whether it worked', async () => {
    const { client, side } = setup();
    const ts = (await settle(side.post(PLACE, 'left over')))!;
    expect(await settle(side.remove(PLACE, ts))).toBe(true);
    expect(client.thread('C1', PLACE.threadTs)).toEqual([]);
    expect(await settle(side.remove(PLACE, ts))).toBe(false);
  });

  it('waits for room in the delete budget rather than failing', async () => {
    const { client, side } = setup({ 'chat.delete': { team: { limit: 1, windowMs: 10_000 } } });
    const first = (await settle(side.post(PLACE, 'a')))!;
    const second = (await settle(side.post(PLACE, 'b')))!;
    const start = Date.now();
    expect(await settle(Promise.all([side.remove(PLACE, first), side.remove(PLACE, second)]))).toEqual([true, true]);
    const deletes = client.calls.filter((call) => call.method === 'chat.delete');
    expect(deletes[1].at - deletes[0].at).toBeGreaterThanOrEqual(10_000);
    expect(deletes[0].at).toBe(start);
  });
});
