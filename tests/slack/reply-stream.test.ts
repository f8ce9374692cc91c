import { webApi } from '@slack/bolt';
import { fenceOpener, openFenceAt } from '../../src/conversation/split';
import { createReplyStreamer } from '../../src/slack/reply-stream';
import {
  ReplyError,
  type ReplyResult,
  type ReplyStream,
  type ReplyStreamOptions,
  type ReplyTarget,
  type SlackWriter,
} from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import { DEFAULT_WRITE_LIMITS, type MethodLimits, type WriteMethod } from '../../src/slack/write-limits';
import { type RecordedCall, RecordingSlackClient, rateLimitedError } from '../helpers/recording-slack-client';

const CHANNEL: ReplyTarget = { team: 'T1', channel: 'C1', threadTs: '1700000000.000001', userId: 'U1', isDm: false };
const DM: ReplyTarget = { team: 'T1', channel: 'D1', threadTs: '1700000000.000002', userId: 'U1', isDm: true };
const FEEDBACK = [{ type: 'context_actions', elements: [{ type: 'feedback_buttons', action_id: 'answer_feedback' }] }];

interface LogLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

function setup(
  options: {
    streamOptions?: ReplyStreamOptions;
    limits?: Partial<Record<WriteMethod, MethodLimits>>;
    latencyMs?: number | ((method: string) => number);
  } = {},
) {
  const client = new RecordingSlackClient({ latencyMs: options.latencyMs ?? 40 });
  const budget = new WriteBudget({ limits: options.limits });
  const logs: LogLine[] = [];
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    logs.push({ level, message, meta });
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const streamer = createReplyStreamer({ client, budget, logger, options: options.streamOptions });
  return { client, budget, logs, streamer };
}

/** Advances fake time until the promise settles. */
async function settle<T>(promise: Promise<T>, maxMs = 30 * 60_000): Promise<T> {
  let outcome: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  for (let waited = 0; !outcome && waited < maxMs; waited += 100) await jest.advanceTimersByTimeAsync(100);
  if (!outcome) throw new Error(`did not settle within ${maxMs} ms`);
  if ('error' in outcome) throw outcome.error;
  return outcome.value as T;
}

/** Writes `text` as `deltas` pieces spread over `durationMs`, like a model would. */
async function streamText(reply: ReplyStream, text: string, deltas: number, durationMs: number): Promise<void> {
  const size = Math.ceil(text.length / deltas);
  for (let at = 0; at < text.length; at += size) {
    reply.write(text.slice(at, at + size));
    await jest.advanceTimersByTimeAsync(durationMs / deltas);
  }
}

/** The thread's messages joined back into the answer, dropping fence lines added where a code block was cut. */
function joinMessages(texts: string[]): string {
  let out = '';
  let opener = '';
  texts.forEach((text, n) => {
    const start = opener && text.startsWith(opener) ? opener.length : 0;
    let end = text.length;
    opener = '';
    if (n < texts.length - 1) {
      const lastLineStart = text.lastIndexOf('\n') + 1;
      const fence = openFenceAt(text.slice(0, lastLineStart));
      if (fence && text.slice(lastLineStart) === fence.close && texts[n + 1].startsWith(fenceOpener(fence))) {
        end = lastLineStart;
        opener = fenceOpener(fence);
      }
    }
    out += text.slice(start, end);
  });
  return out;
}

function threadTexts(client: RecordingSlackClient, target: ReplyTarget): string[] {
  return client.thread(target.channel, target.threadTs).map((message) => message.text);
}

function methods(calls: RecordedCall[]): string[] {
  return calls.map((call) => call.method);
}

function prose(chars: number, seed = 1): string {
  const words = ['the', 'laptop', 'VPN', 'client', 'connects', 'after', 'you', 'restart', 'it', 'twice'];
  let text = '';
  for (let n = seed; text.length < chars; n++) {
    text += words[(n * 7) % words.length];
    text += n % 53 === 0 ? '.\n\n' : n % 17 === 0 ? '.\n' : ' ';
  }
  return text.slice(0, chars);
}

function longAnswerWithCode(chars: number): string {
  const parts: string[] = [];
  let n = 0;
  while (parts.join('').length < chars) {
    n++;
    parts.push(`## Step ${n}\n\n${prose(400 + ((n * 137) % 900), n)}\n\n`);
    if (n % 2 === 0) {
      const lines = Array.from({ length: 10 + ((n * 31) % 160) }, (_, k) => `  run --step ${n} --line ${k}`);
      parts.push(`\`\`\`${n % 4 === 0 ? 'bash' : 'ts'}\n${lines.join('\n')}\n\`\`\`\n\n`);
    }
  }
  return parts.join('').slice(0, chars);
}

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-11-02T09:00:00Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('native streaming', () => {
  it('starts the stream with the very first delta, before any time passes', async () => {
    const { client, streamer } = setup();
    const reply = streamer.open(CHANNEL);
    reply.write('Hel');
    expect(client.calls).toHaveLength(1);
    expect(client.calls[0]).toMatchObject({
      method: 'chat.startStream',
      args: {
        channel: 'C1',
        thread_ts: CHANNEL.threadTs,
        markdown_text: 'Hel',
        recipient_user_id: 'U1',
        recipient_team_id: 'T1',
      },
    });
    reply.write('lo');
    const result = await settle(reply.finish());
    expect(methods(client.calls)).toEqual(['chat.startStream', 'chat.stopStream']);
    expect(result).toEqual({ messageTs: [expect.any(String)], writes: 2, mode: 'stream', delivered: 'Hello' });
    expect(threadTexts(client, CHANNEL)).toEqual(['Hello']);
  });

  it('leaves the recipient fields out in a DM', async () => {
    const { client, streamer } = setup();
    const reply = streamer.open(DM);
    reply.write('Hi');
    await settle(reply.finish());
    expect(client.calls[0].args).not.toHaveProperty('recipient_user_id');
    expect(client.calls[0].args).not.toHaveProperty('recipient_team_id');
    expect(threadTexts(client, DM)).toEqual(['Hi']);
  });

  it('sends a 2,000-character answer streamed over 10 s in at most 10 writes, exactly', async () => {
    const { client, streamer } = setup();
    const answer = prose(2_000);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 200, 10_000);
    const result = await settle(reply.finish({ blocks: FEEDBACK }));

    expect(result.writes).toBeLessThanOrEqual(10);
    expect(result.writes).toBe(client.calls.length);
    expect(result.writes).toBe(8);
    expect(result.delivered).toBe(answer);
    const [message] = client.thread(CHANNEL.channel, CHANNEL.threadTs);
    expect(message.text).toBe(answer);
    expect(message.blocks).toEqual(FEEDBACK);
    expect(client.calls.at(-1)).toMatchObject({ method: 'chat.stopStream', args: { blocks: FEEDBACK } });
    const gaps = client.calls.slice(1).map((call, n) => call.at - client.calls[n].at);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(1_500);
  });

  it('keeps order and loses nothing when every Slack call is slow (e.g. waiting out a 429)', async () => {
    const { client, streamer } = setup({ latencyMs: (method) => (method === 'chat.appendStream' ? 4_000 : 700) });
    const answer = prose(3_000, 5);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 300, 6_000);
    const result = await settle(reply.finish());
    expect(threadTexts(client, CHANNEL)).toEqual([answer]);
    expect(result.delivered).toBe(answer);
    for (let n = 1; n < client.calls.length; n++) {
      expect(client.calls[n].at - client.calls[n - 1].at).toBeGreaterThanOrEqual(700);
    }
  });

  it('leaves no timer behind once finished', async () => {
    const { streamer } = setup();
    const reply = streamer.open(CHANNEL);
    reply.write('one ');
    await jest.advanceTimersByTimeAsync(200);
    reply.write('two');
    await settle(reply.finish());
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('long answers', () => {
  it('rolls a 30,000-character answer over into several messages, never inside a code block', async () => {
    const { client, streamer } = setup();
    const answer = longAnswerWithCode(30_000);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 1_000, 60_000);
    const result = await settle(reply.finish({ blocks: FEEDBACK }));

    const texts = threadTexts(client, CHANNEL);
    expect(texts.length).toBeGreaterThanOrEqual(4);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(9_000);
    for (const text of texts.slice(0, -1)) expect(openFenceAt(text)).toBeNull();
    expect(joinMessages(texts)).toBe(answer);
    expect(result.delivered).toBe(answer);
    expect(result.mode).toBe('stream');
    expect(result.messageTs).toEqual(client.thread(CHANNEL.channel, CHANNEL.threadTs).map((m) => m.ts));
    expect(client.thread(CHANNEL.channel, CHANNEL.threadTs).at(-1)!.blocks).toEqual(FEEDBACK);
  });

  it('rolls over at a paragraph or line break when the text allows', async () => {
    const { client, streamer } = setup({ streamOptions: { maxStreamChars: 1_000 } });
    const answer = prose(5_000, 3);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 100, 10_000);
    await settle(reply.finish());
    const texts = threadTexts(client, CHANNEL);
    expect(texts.length).toBeGreaterThanOrEqual(5);
    for (const text of texts.slice(0, -1)) expect(text.endsWith('\n')).toBe(true);
    expect(texts.join('')).toBe(answer);
  });

  it('arrives whole even when the answer lands all at once, far over one message', async () => {
    const { client, streamer } = setup();
    const answer = longAnswerWithCode(25_000);
    const reply = streamer.open(CHANNEL);
    reply.write(answer);
    const result = await settle(reply.finish());
    const texts = threadTexts(client, CHANNEL);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(9_000);
    expect(joinMessages(texts)).toBe(answer);
    expect(result.delivered).toBe(answer);
  });
});

describe('fallback to posted messages', () => {
  it('posts and updates when the workspace refuses streaming, and remembers that for the team', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.startStream', 'feature_not_enabled');
    const answer = prose(2_000, 2);
    const first = streamer.open(CHANNEL);
    await streamText(first, answer, 200, 10_000);
    const result = await settle(first.finish({ blocks: FEEDBACK }));

    expect(methods(client.calls).slice(0, 3)).toEqual(['chat.startStream', 'chat.postMessage', 'chat.update']);
    expect(client.calls[1].args.markdown_text).toBe(
      answer.slice(0, (client.calls[1].args.markdown_text as string).length),
    );
    expect(client.calls[1].at).toBe(client.calls[0].at + 40);
    expect(result.mode).toBe('fallback');
    expect(result.delivered).toBe(answer);
    const [message] = client.thread(CHANNEL.channel, CHANNEL.threadTs);
    expect(message).toMatchObject({ via: 'post', text: answer, blocks: FEEDBACK });

    const later = { ...CHANNEL, threadTs: '1700000000.000009' };
    const second = streamer.open(later);
    second.write('Again');
    expect(client.calls.at(-1)).toMatchObject({ method: 'chat.postMessage', args: { markdown_text: 'Again' } });
    await settle(second.finish());

    const otherTeam = { ...CHANNEL, team: 'T2', channel: 'C2' };
    const third = streamer.open(otherTeam);
    third.write('Elsewhere');
    expect(client.calls.at(-1)!.method).toBe('chat.startStream');
    await settle(third.finish());

    await jest.advanceTimersByTimeAsync(10 * 60_000);
    const fourth = streamer.open({ ...CHANNEL, threadTs: '1700000000.000010' });
    fourth.write('Streams again');
    expect(client.calls.at(-1)!.method).toBe('chat.startStream');
    await settle(fourth.finish());
  });

  it.each([
    ['a long rate limit', rateLimitedError(30)],
    ['a connection error', Object.assign(new Error('socket hang up'), { code: 'slack_webapi_request_error' })],
  ])('does not hold a start failing with %s against the team', async (_, error) => {
    const { client, streamer } = setup();
    client.failNext('chat.startStream', error);
    const first = streamer.open(CHANNEL);
    first.write('One');
    expect(await settle(first.finish())).toMatchObject({ mode: 'fallback', delivered: 'One' });
    // A rate limit holds chat.startStream back for its Retry-After, no longer.
    await jest.advanceTimersByTimeAsync(30_000);
    const second = streamer.open({ ...CHANNEL, threadTs: '1700000000.000011' });
    second.write('Two');
    expect(client.calls.at(-1)!.method).toBe('chat.startStream');
    await settle(second.finish());
  });

  it('posts from the start when the stream budget is used up', async () => {
    const { client, budget, streamer } = setup();
    for (let n = 0; n < DEFAULT_WRITE_LIMITS['chat.startStream'].team.limit; n++)
      budget.tryTake('T1', 'chat.startStream');
    const answer = prose(1_200, 4);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 60, 6_000);
    const result = await settle(reply.finish());
    expect(client.calls[0].method).toBe('chat.postMessage');
    expect(methods(client.calls)).not.toContain('chat.startStream');
    expect(result).toMatchObject({ mode: 'fallback', delivered: answer });
    expect(threadTexts(client, CHANNEL)).toEqual([answer]);
  });

  it('posts when no stop can be reserved, so every stream started can be stopped', async () => {
    const { client, streamer } = setup({ limits: { 'chat.stopStream': { team: { limit: 0, windowMs: 60_000 } } } });
    const reply = streamer.open(CHANNEL);
    reply.write('Short');
    expect(client.calls[0].method).toBe('chat.postMessage');
    expect(await settle(reply.finish())).toMatchObject({ mode: 'fallback', writes: 1, delivered: 'Short' });
  });

  it('keeps posted messages under maxFallbackChars and rolls over outside code blocks', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.startStream', 'not_allowed');
    const answer = longAnswerWithCode(12_000);
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 400, 40_000);
    const result = await settle(reply.finish({ blocks: FEEDBACK }));
    const texts = threadTexts(client, CHANNEL);
    expect(texts.length).toBeGreaterThanOrEqual(4);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3_800);
    for (const text of texts.slice(0, -1)) expect(openFenceAt(text)).toBeNull();
    expect(joinMessages(texts)).toBe(answer);
    expect(result.delivered).toBe(answer);
    expect(client.thread(CHANNEL.channel, CHANNEL.threadTs).at(-1)!.blocks).toEqual(FEEDBACK);
  });
});

describe('errors and endings', () => {
  it('delivers the rest in a new message when an append fails mid-stream', async () => {
    const { client, streamer, logs } = setup();
    let appends = 0;
    client.failWhen((method) => (method === 'chat.appendStream' && ++appends === 3 ? 'internal_error' : undefined));
    const answer = `${prose(1_500, 6)}\n\n\`\`\`ts\n${'const x = 1;\n'.repeat(80)}\`\`\`\n\nThat is all.`;
    const reply = streamer.open(CHANNEL);
    await streamText(reply, answer, 150, 12_000);
    const result = await settle(reply.finish());

    const messages = client.thread(CHANNEL.channel, CHANNEL.threadTs);
    expect(messages.length).toBe(2);
    expect(messages[0]).toMatchObject({ via: 'stream', streaming: false });
    expect(joinMessages(messages.map((m) => m.text))).toBe(answer);
    expect(result).toMatchObject({ delivered: answer, mode: 'fallback' });
    expect(logs.some((line) => line.level === 'warn' && line.meta?.error === 'internal_error')).toBe(true);
  });

  it('delivers the last part by post when stopStream fails', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.stopStream', 'internal_error');
    const reply = streamer.open(CHANNEL);
    reply.write('First part. ');
    await jest.advanceTimersByTimeAsync(100);
    reply.write('Second part.');
    const result = await settle(reply.finish());
    expect(methods(client.calls)).toEqual(['chat.startStream', 'chat.stopStream', 'chat.postMessage']);
    expect(threadTexts(client, CHANNEL)).toEqual(['First part. ', 'Second part.']);
    expect(result.delivered).toBe('First part. Second part.');
  });

  it('still delivers the text when the final update with blocks is refused', async () => {
    const { client, streamer } = setup();
    client.failNext('chat.startStream', 'not_allowed');
    client.failWhen((method, args) => (method === 'chat.update' && args.blocks ? 'invalid_blocks' : undefined));
    const reply = streamer.open(CHANNEL);
    reply.write('Part one. ');
    await jest.advanceTimersByTimeAsync(2_000);
    reply.write('Part two.');
    const result = await settle(reply.finish({ blocks: FEEDBACK }));
    expect(joinMessages(threadTexts(client, CHANNEL))).toBe('Part one. Part two.');
    expect(result.delivered).toBe('Part one. Part two.');
  });

  it('appends the note on abort, outside a code block left open', async () => {
    const { client, streamer } = setup();
    const written = 'Try this:\n\n```bash\nsudo jamf recon\n';
    const reply = streamer.open(CHANNEL);
    reply.write(written);
    await jest.advanceTimersByTimeAsync(300);
    const result = await settle(reply.abort('_…answer cut short_'));
    expect(threadTexts(client, CHANNEL)).toEqual([`${written}\`\`\`\n\n_…answer cut short_`]);
    expect(result.delivered).toBe(`${written}\`\`\`\n\n_…answer cut short_`);
  });

  it('rejects with ReplyError only when nothing at all could be delivered', async () => {
    const { client, streamer } = setup();
    await expect(settle(streamer.open(CHANNEL).finish())).rejects.toBeInstanceOf(ReplyError);

    client.failWhen((method) =>
      method === 'chat.startStream' ? 'not_allowed' : method === 'chat.postMessage' ? 'channel_not_found' : undefined,
    );
    const reply = streamer.open({ ...CHANNEL, threadTs: '1700000000.000020' });
    reply.write('Nobody will see this');
    await expect(settle(reply.finish())).rejects.toBeInstanceOf(ReplyError);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops text written after finish, and never logs message text', async () => {
    const { streamer, logs, client } = setup();
    client.failNext('chat.appendStream', 'internal_error');
    const reply = streamer.open(CHANNEL);
    reply.write('SECRETWORD one ');
    await jest.advanceTimersByTimeAsync(2_000);
    reply.write('SECRETWORD two');
    await jest.advanceTimersByTimeAsync(2_000);
    const done = reply.finish();
    reply.write('late SECRETWORD');
    const result = await settle(done);
    expect(result.delivered).toBe('SECRETWORD one SECRETWORD two');
    expect(JSON.stringify(logs)).not.toContain('SECRETWORD');
    expect(logs.some((line) => line.message.includes('after finish'))).toBe(true);
  });
});

describe('many answers at once in one workspace', () => {
  it('keeps 50 concurrent replies within every per-minute limit, and completes all of them', async () => {
    const { client, streamer } = setup({ latencyMs: 120 });
    const targets = Array.from({ length: 50 }, (_, n): ReplyTarget => {
      const isDm = n % 10 === 9;
      return {
        team: 'T1',
        channel: isDm ? `D${n}` : `C${n % 6}`,
        threadTs: `1700000100.${String(n).padStart(6, '0')}`,
        userId: `U${n}`,
        isDm,
      };
    });
    const answers = targets.map((_, n) => (n % 7 === 0 ? longAnswerWithCode(6_000 + n * 50) : prose(800 + n * 60, n)));
    const runs = targets.map(async (target, n): Promise<ReplyResult> => {
      const reply = streamer.open(target);
      const answer = answers[n];
      const deltas = Math.ceil(answer.length / 12);
      const duration = 4_000 + (n % 9) * 2_000;
      let sent = 0;
      const tick = duration / deltas;
      const writeSome = () => {
        if (sent >= answer.length) return;
        reply.write(answer.slice(sent, sent + 12));
        sent += 12;
        setTimeout(writeSome, tick);
      };
      setTimeout(writeSome, (n % 10) * 300);
      await new Promise((resolve) => setTimeout(resolve, (n % 10) * 300 + duration + 50));
      return reply.finish({ blocks: FEEDBACK });
    });
    const results = await settle(Promise.all(runs));

    targets.forEach((target, n) => {
      expect(results[n].delivered).toBe(answers[n]);
      expect(joinMessages(threadTexts(client, target))).toBe(answers[n]);
    });
    const limits: Array<[string, number]> = [
      ['chat.startStream', 18],
      ['chat.stopStream', 18],
      ['chat.appendStream', 90],
      ['chat.update', 45],
      ['chat.postMessage', 300],
    ];
    for (const [method, limit] of limits) {
      const times = client.calls.filter((call) => call.method === method).map((call) => call.at);
      for (let n = 0; n + limit < times.length; n++) expect(times[n + limit] - times[n]).toBeGreaterThanOrEqual(60_000);
    }
    const posts = client.calls.filter((call) => call.method === 'chat.postMessage');
    for (const channel of new Set(posts.map((call) => call.args.channel))) {
      const times = posts.filter((call) => call.args.channel === channel).map((call) => call.at);
      for (let n = 1; n < times.length; n++) expect(times[n] - times[n - 1]).toBeGreaterThanOrEqual(1_000);
    }
    expect(client.calls.filter((call) => call.error)).toEqual([]);
    expect(results.filter((result) => result.mode === 'stream').length).toBe(18);
    // Every reply shows its first words within a few seconds, even those waiting for a channel's posting slot.
    const start = client.calls[0].at;
    for (const target of targets)
      expect(client.callsFor(target.channel, target.threadTs)[0].at - start).toBeLessThan(6_000);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('lets a reply wait for a write slot without planning again on every delta, and shows its words once one frees', async () => {
    const { client, budget, streamer } = setup();
    for (const method of ['chat.startStream', 'chat.update'] as const) while (budget.tryTake('T1', method)) {}
    const pressure = jest.spyOn(budget, 'pressure');
    const reply = streamer.open(CHANNEL);
    for (let n = 0; n < 100; n++) reply.write(`word${n} `);
    expect(pressure.mock.calls.length).toBeLessThanOrEqual(1);
    expect(client.calls).toEqual([]);
    // The minute that spent the update slots passes: the reply posts what it has, without a new delta to prompt it.
    await jest.advanceTimersByTimeAsync(61_000);
    expect(client.calls.map((call) => call.method)).toEqual(['chat.postMessage']);
    reply.write('done.');
    const answer = `${Array.from({ length: 100 }, (_, n) => `word${n} `).join('')}done.`;
    expect(await settle(reply.finish())).toMatchObject({ delivered: answer });
    expect(threadTexts(client, CHANNEL)).toEqual([answer]);
  });
});

describe('SlackWriter', () => {
  it('is satisfied by the real WebClient', () => {
    const writer: SlackWriter = new webApi.WebClient('xoxb-not-used');
    expect(typeof writer.chat.startStream).toBe('function');
  });
});
