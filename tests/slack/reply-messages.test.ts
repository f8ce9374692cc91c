// ReplyTarget.onMessage: the caller learns of each message its answer writes as soon as it exists in Slack.
import { createReplyStreamer } from '../../src/slack/reply-stream';
import type { ReplyTarget } from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import { recordingLogger } from '../helpers/recording-logger';
import { RecordingSlackClient } from '../helpers/recording-slack-client';

const TARGET: ReplyTarget = { team: 'T1', channel: 'C1', threadTs: '1700000000.000001', userId: 'U1', isDm: false };

function setup() {
  const client = new RecordingSlackClient({ latencyMs: 40 });
  const logger = recordingLogger();
  const streamer = createReplyStreamer({ client, budget: new WriteBudget(), logger, options: { maxStreamChars: 500 } });
  return { client, logger, streamer };
}

function paragraphs(count: number): string {
  return Array.from({ length: count }, (_, n) => `Paragraph ${n}: ${'restart the VPN client '.repeat(6)}\n\n`).join('');
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-11-02T09:00:00Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('onMessage', () => {
  it('reports each message of a long answer, in order, as soon as it exists and before the answer ends', async () => {
    const { client, streamer } = setup();
    const seen: Array<{ ts: string; inSlack: boolean; messagesSoFar: number }> = [];
    const onMessage = (ts: string) =>
      seen.push({ ts, inSlack: client.messages.has(ts), messagesSoFar: client.thread('C1', TARGET.threadTs).length });
    const reply = streamer.open({ ...TARGET, onMessage });

    reply.write('First words. ');
    await jest.advanceTimersByTimeAsync(40);
    expect(seen).toEqual([{ ts: expect.any(String), inSlack: true, messagesSoFar: 1 }]);

    reply.write(paragraphs(8));
    const done = reply.finish();
    await jest.advanceTimersByTimeAsync(60_000);
    const result = await done;
    expect(result.messageTs.length).toBeGreaterThanOrEqual(3);
    expect(seen.map((entry) => entry.ts)).toEqual(result.messageTs);
    expect(seen.map((entry) => entry.messagesSoFar)).toEqual(result.messageTs.map((_, n) => n + 1));
  });

  it('reports posted messages too, when the workspace refuses streaming', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.startStream', 'not_allowed');
    const seen: string[] = [];
    const reply = streamer.open({ ...TARGET, onMessage: (ts) => seen.push(ts) });
    reply.write('Posted instead.');
    await jest.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([client.thread('C1', TARGET.threadTs)[0].ts]);
    const done = reply.finish();
    await jest.advanceTimersByTimeAsync(5_000);
    expect((await done).messageTs).toEqual(seen);
  });

  it('does not let a throwing callback break the reply', async () => {
    const { client, logger, streamer } = setup();
    const reply = streamer.open({
      ...TARGET,
      onMessage: () => {
        throw new Error('caller bug');
      },
    });
    reply.write('Still delivered.');
    const done = reply.finish();
    await jest.advanceTimersByTimeAsync(5_000);
    expect((await done).delivered).toBe('Still delivered.');
    expect(client.thread('C1', TARGET.threadTs).map((message) => message.text)).toEqual(['Still delivered.']);
    expect(logger.lines.some((line) => line.level === 'warn' && line.message.includes('onMessage'))).toBe(true);
  });
});
