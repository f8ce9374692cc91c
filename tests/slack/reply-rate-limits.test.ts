// A reply meeting Slack's 429s: the method waits its Retry-After, the others carry on, and the answer arrives whole.
import { createReplyStreamer } from '../../src/slack/reply-stream';
import type { ReplyTarget } from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import { recordingLogger } from '../helpers/recording-logger';
import { RecordingSlackClient, rateLimitedError } from '../helpers/recording-slack-client';

const DM: ReplyTarget = { team: 'T1', channel: 'D1', threadTs: '1700000000.000002', userId: 'U1', isDm: true };

function setup() {
  const client = new RecordingSlackClient({ latencyMs: 20 });
  const budget = new WriteBudget();
  const streamer = createReplyStreamer({ client, budget, logger: recordingLogger() });
  return { client, budget, streamer };
}

async function settle<T>(promise: Promise<T>, maxMs = 5 * 60_000): Promise<T> {
  let done: { value: T } | undefined;
  void promise.then((value) => {
    done = { value };
  });
  for (let waited = 0; !done && waited < maxMs; waited += 100) await jest.advanceTimersByTimeAsync(100);
  if (!done) throw new Error(`did not settle within ${maxMs} ms`);
  return done.value;
}

beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-02T09:00:00Z') }));
afterEach(() => jest.useRealTimers());

describe('a reply rate limited by Slack', () => {
  it('makes the append again after its Retry-After, and delivers the whole answer in the same message', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.appendStream', rateLimitedError(5));
    const reply = streamer.open(DM);
    reply.write('One. ');
    await jest.advanceTimersByTimeAsync(2_000);
    reply.write('Two. ');
    await jest.advanceTimersByTimeAsync(2_000);
    reply.write('Three.');
    const result = await settle(reply.finish());
    expect(result).toMatchObject({ delivered: 'One. Two. Three.', mode: 'stream' });
    expect(result.messageTs).toHaveLength(1);
    const appends = client.calls.filter((call) => call.method === 'chat.appendStream');
    expect(appends[1].at - appends[0].at).toBeGreaterThanOrEqual(5_000);
  });

  it('holds back only that method: another answer in the workspace posts while streams wait', async () => {
    const { client, budget, streamer } = setup();
    client.failNext('chat.startStream', rateLimitedError(30));
    const first = streamer.open(DM);
    first.write('First.');
    expect(await settle(first.finish())).toMatchObject({ delivered: 'First.', mode: 'fallback' });
    const second = streamer.open({ ...DM, channel: 'D2' });
    second.write('Second.');
    expect(await settle(second.finish())).toMatchObject({ delivered: 'Second.', mode: 'fallback' });
    expect(client.calls.map((call) => call.method)).toEqual([
      'chat.startStream',
      'chat.postMessage',
      'chat.postMessage',
    ]);
    expect(budget.nextFreeIn('T1', 'chat.startStream')).toBeGreaterThan(25_000);
  });
});
