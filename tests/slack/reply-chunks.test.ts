// ReplyTarget.chunks: a task update shown at the top of the reply's first streamed message, where Slack accepts it.
import { createReplyStreamer } from '../../src/slack/reply-stream';
import type { ReplyTarget } from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import { recordingLogger } from '../helpers/recording-logger';
import { RecordingSlackClient } from '../helpers/recording-slack-client';

const TASK = { type: 'task_update', id: 'knowledge-search', title: 'Searched the IT guides', status: 'complete' };
const TARGET: ReplyTarget = {
  team: 'T1',
  channel: 'C1',
  threadTs: '1700000000.000001',
  userId: 'U1',
  isDm: false,
  chunks: [TASK],
};

function setup() {
  const client = new RecordingSlackClient({ latencyMs: 40 });
  const logger = recordingLogger();
  const streamer = createReplyStreamer({ client, budget: new WriteBudget(), logger, options: { maxStreamChars: 500 } });
  return { client, logger, streamer };
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-11-02T09:00:00Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

async function deliver(reply: ReturnType<ReturnType<typeof setup>['streamer']['open']>, text: string) {
  reply.write(text);
  const done = reply.finish();
  await jest.advanceTimersByTimeAsync(10_000);
  return done;
}

describe('stream chunks', () => {
  it('starts the stream with the task above the text, and only the first message of a long answer', async () => {
    const { client, streamer } = setup();
    const long = `${'Restart the VPN client and try again. '.repeat(12)}\n\n${'Then sign in again. '.repeat(20)}`;
    const result = await deliver(streamer.open(TARGET), long);

    const starts = client.calls.filter((call) => call.method === 'chat.startStream');
    expect(starts.length).toBeGreaterThan(1);
    expect(starts[0].args.chunks).toEqual([TASK, { type: 'markdown_text', text: expect.any(String) }]);
    expect(starts[0].args.markdown_text).toBeUndefined();
    expect(starts[1].args.chunks).toBeUndefined();
    const messages = client.thread('C1', TARGET.threadTs);
    expect(messages[0].chunks).toEqual([TASK]);
    expect(messages.map((m) => m.text).join('')).toBe(long);
    expect(result.mode).toBe('stream');
  });

  it('streams without the task when the workspace refuses it, and leaves it out of later replies', async () => {
    const { client, logger, streamer } = setup();
    client.failNext('chat.startStream', 'invalid_chunks');
    const result = await deliver(streamer.open(TARGET), 'Open GlobalProtect.');

    expect(client.calls.map((call) => call.method)).toEqual([
      'chat.startStream',
      'chat.startStream',
      'chat.stopStream',
    ]);
    expect(client.calls[1].args).toMatchObject({ markdown_text: 'Open GlobalProtect.' });
    expect(client.calls[1].args.chunks).toBeUndefined();
    expect(result).toMatchObject({ mode: 'stream', delivered: 'Open GlobalProtect.' });
    expect(logger.lines.some((line) => line.message.includes('refused task updates'))).toBe(true);

    await deliver(streamer.open({ ...TARGET, threadTs: '1700000000.000002' }), 'Again.');
    const later = client.calls.filter((call) => call.method === 'chat.startStream').slice(2);
    expect(later).toHaveLength(1);
    expect(later[0].args).toMatchObject({ markdown_text: 'Again.' });
    expect(later[0].args.chunks).toBeUndefined();
  });
});
