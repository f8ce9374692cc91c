// Side writes on the loopback fake Slack: a 429 on a side call must not stall the answers streaming meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { webApi } from '@slack/bolt';
import { createReplyStreamer } from '../../src/slack/reply-stream';
import { createSideWriter, type SideClient } from '../../src/slack/side-writes';
import { WriteBudget } from '../../src/slack/write-budget';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { recordingLogger } from '../helpers/recording-logger';

const RETRY_AFTER_S = 3;
const QUICK_RETRIES = { retries: 2, factor: 1, minTimeout: 50, maxTimeout: 50, randomize: false };
const QUIET = webApi.LogLevel.ERROR;

let fake: FakeSlack;

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  await fake.close();
});

/** Streams a short answer in a DM through `main` while a status and a post in other threads get a 429. */
async function streamWhileSideCallsAreLimited(main: webApi.WebClient, sideClient: SideClient) {
  const budget = new WriteBudget();
  const logger = recordingLogger();
  const streamer = createReplyStreamer({ client: main, budget, logger, options: { minAppendIntervalMs: 50 } });
  const side = createSideWriter({ client: sideClient, budget, logger });
  fake.failNext('assistant.threads.setStatus', { retryAfter: RETRY_AFTER_S });
  fake.failNext('chat.postMessage', { retryAfter: RETRY_AFTER_S });
  const status = side.status({ team: fake.teamId, channel: 'C1', threadTs: '1700000000.000001' }, 'is looking…');
  const notice = side.post({ team: fake.teamId, channel: 'C2', threadTs: '1700000000.000002' }, 'A notice.');
  await fake.waitFor(() => fake.total429() === 2);
  await sleep(50);

  const reply = streamer.open({
    team: fake.teamId,
    channel: 'D1',
    threadTs: '1700000000.000003',
    userId: 'U1',
    isDm: true,
  });
  // Each word waits for the previous write to reach Slack, so every one after the first is an append.
  for (const word of ['One ', 'two ', 'three ', 'four.']) {
    const writes = streamWrites();
    reply.write(word);
    await fake.waitFor(() => streamWrites() > writes, 10_000);
  }
  const result = await reply.finish();
  await Promise.all([status, notice]);
  const order = fake.calls.map((call) => `${call.method} ${call.status}`);
  return {
    result,
    order,
    stop: order.indexOf('chat.stopStream 200'),
    retriedPost: order.indexOf('chat.postMessage 200'),
  };
}

function streamWrites(): number {
  return fake.calls.filter((call) => call.method === 'chat.startStream' || call.method === 'chat.appendStream').length;
}

describe('side writes through their own client', () => {
  it('a 429 on setStatus and on a side post leaves the streaming reply’s appends to go straight through', async () => {
    const main = new webApi.WebClient('xoxb-main', {
      slackApiUrl: fake.apiUrl,
      retryConfig: QUICK_RETRIES,
      logLevel: QUIET,
    });
    const sideClient = new webApi.WebClient('xoxb-main', {
      slackApiUrl: fake.apiUrl,
      retryConfig: QUICK_RETRIES,
      logLevel: QUIET,
      rejectRateLimitedCalls: true,
    });
    const { result, order, stop, retriedPost } = await streamWhileSideCallsAreLimited(main, sideClient);

    expect(result.delivered).toBe('One two three four.');
    expect(order.slice(2, stop + 1)).toEqual([
      'chat.startStream 200',
      'chat.appendStream 200',
      'chat.appendStream 200',
      'chat.appendStream 200',
      'chat.stopStream 200',
    ]);
    // The whole answer was out before the side post could be retried (after its Retry-After).
    expect(retriedPost).toBeGreaterThan(stop);
    expect(fake.botReplies('C2', '1700000000.000002').map((message) => message.text)).toEqual(['A notice.']);
    expect(fake.threadStatus('C1', '1700000000.000001')).toBeUndefined();
  }, 20_000);

  it('whereas the same side calls on the streaming client hold the reply until the Retry-After has passed', async () => {
    const main = new webApi.WebClient('xoxb-main', {
      slackApiUrl: fake.apiUrl,
      retryConfig: QUICK_RETRIES,
      logLevel: QUIET,
    });
    const { result } = await streamWhileSideCallsAreLimited(main, main);

    expect(result.delivered).toBe('One two three four.');
    const [limited] = fake.calls;
    const started = fake.callsFor('chat.startStream')[0];
    expect(limited.status).toBe(429);
    // WebClient paused its whole queue: the answer's first write waited out the side call's Retry-After.
    expect(started.at - limited.at).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1_000 - 100);
  }, 20_000);
});
