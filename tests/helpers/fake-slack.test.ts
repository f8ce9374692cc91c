import { App, type Logger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from './fake-slack';

const BOT_TOKEN = 'xoxb-test';
const APP_TOKEN = 'xapp-test';
const ROOT_TS = '1700000000.000100';

/** Dropped connections make the Socket Mode client log errors; they are the point of those tests. */
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

let fake: FakeSlack;
let apps: App[] = [];

async function useFake(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  await fake.close();
  fake = await startFakeSlack(options);
  return fake;
}

/** A real Bolt app in Socket Mode; `reconnectMs` sets the Socket Mode client's reconnect delay (default 5 s). */
async function startApp(register: (app: App) => void, reconnectMs?: number): Promise<App> {
  const clientOptions = { slackApiUrl: fake.apiUrl };
  const receiver =
    reconnectMs === undefined
      ? undefined
      : new SocketModeReceiver({
          appToken: APP_TOKEN,
          clientPingTimeout: reconnectMs,
          logger: quietLogger,
          installerOptions: { clientOptions },
        });
  const app = new App({
    token: BOT_TOKEN,
    appToken: APP_TOKEN,
    socketMode: true,
    clientOptions,
    logLevel: LogLevel.ERROR,
    ...(receiver ? { receiver } : {}),
  });
  register(app);
  await app.start();
  apps.push(app);
  return app;
}

function webClient(options: ConstructorParameters<typeof WebClient>[1] = {}, token = BOT_TOKEN): WebClient {
  return new WebClient(token, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR, ...options });
}

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  apps = [];
  await fake.close();
});

describe('Socket Mode with a real Bolt app', () => {
  it('delivers a DM and records the threaded reply', async () => {
    await startApp((app) => {
      app.event('message', async ({ event, client }) => {
        if (event.subtype !== undefined) return;
        await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `echo: ${event.text}` });
      });
    });
    expect(fake.callsFor('auth.test')[0]).toMatchObject({ status: 200 });
    expect(fake.callsFor('apps.connections.open')).toHaveLength(1);

    const { ts, eventIds } = await fake.userMessage({ channel: 'D1', user: 'U1', text: 'hello' });

    expect(eventIds).toHaveLength(1);
    const [call] = await fake.waitFor(
      () => fake.callsFor('chat.postMessage').length > 0 && fake.callsFor('chat.postMessage'),
    );
    expect(call).toMatchObject({ status: 200, args: { channel: 'D1', thread_ts: ts, text: 'echo: hello' } });
    expect(call.error).toBeUndefined();
    expect(fake.thread('D1', ts)).toMatchObject([
      { user: 'U1', text: 'hello', streaming: false },
      { user: 'UBOT', bot_id: 'B0001', text: 'echo: hello', thread_ts: ts, streaming: false },
    ]);
    expect(fake.botReplies('D1', ts)).toHaveLength(1);
    // Slack echoes the bot's own post as a message event (Bolt's ignoreSelf drops it); both were acked.
    await fake.waitFor(() => fake.ackLatencies.length === 2);
    expect(fake.envelopes.map((envelope) => envelope.eventType)).toEqual(['message', 'message']);
  });

  it('sends a channel mention as two envelopes, message and app_mention, with different event ids', async () => {
    const seen: string[] = [];
    await startApp((app) => {
      app.event('message', async ({ event }) => {
        if (event.subtype === undefined && event.user === 'U1') seen.push(`message ${event.channel_type}`);
      });
      app.event('app_mention', async ({ event }) => {
        seen.push(`app_mention ${event.user}`);
      });
    });
    fake.sendRaw('this is not json');

    const { eventIds } = await fake.userMessage({ channel: 'C1', user: 'U1', text: '<@UBOT> help me' });
    await fake.userMessage({ channel: 'D1', user: 'U1', text: '<@UBOT> in a DM' });

    expect(eventIds).toHaveLength(2);
    expect(new Set(eventIds).size).toBe(2);
    await fake.waitFor(() => seen.length === 3);
    expect(seen.sort()).toEqual(['app_mention U1', 'message channel', 'message im']);
  });

  it('spreads envelopes over several connected apps and redelivers to another one', async () => {
    const received: Array<{ app: number; type: string; retryNum?: number; retryReason?: string }> = [];
    for (const index of [1, 2]) {
      await startApp((app) => {
        app.event(/.*/, async ({ event, context }) => {
          received.push({ app: index, type: event.type, retryNum: context.retryNum, retryReason: context.retryReason });
        });
      });
    }
    await fake.waitForConnections(2);

    const { eventIds } = await fake.userMessage({ channel: 'C1', user: 'U1', text: 'hi <@UBOT>' });
    await fake.waitFor(() => received.length === 2);
    expect(new Set(received.map((event) => event.app)).size).toBe(2);

    const first = fake.envelopes.find((envelope) => envelope.eventId === eventIds[0]);
    const retry = await fake.redeliver(eventIds[0], { toOtherConnection: true });
    expect(retry.connection).not.toBe(first?.connection);
    await fake.waitFor(() => received.length === 3);
    expect(received[2]).toMatchObject({ type: 'message', retryNum: 1, retryReason: 'timeout' });
  });

  it('lets Bolt reconnect after disconnect and delivers later events', async () => {
    const texts: string[] = [];
    await startApp((app) => {
      app.message(async ({ message }) => {
        if (message.subtype === undefined && message.text) texts.push(message.text);
      });
    }, 200);

    await fake.disconnectAll();
    expect(fake.connectionCount()).toBe(0);
    await fake.waitForConnections(1, 3000);
    await fake.userMessage({ channel: 'D1', user: 'U1', text: 'after refresh' });

    await fake.waitFor(() => texts.length === 1);
    expect(texts).toEqual(['after refresh']);
    expect(fake.callsFor('apps.connections.open')).toHaveLength(2);
  });

  it('queues events while no connection is open and sends them, in order, after the reconnect', async () => {
    const texts: string[] = [];
    await startApp((app) => {
      app.message(async ({ message }) => {
        if (message.subtype === undefined && message.text) texts.push(message.text);
      });
    }, 200);

    fake.dropAll();
    expect(fake.connectionCount()).toBe(0);
    const sent = Promise.all([
      fake.userMessage({ channel: 'D1', user: 'U1', text: 'one' }),
      fake.userMessage({ channel: 'D1', user: 'U1', text: 'two' }),
    ]);
    expect(fake.envelopes).toHaveLength(0);

    await sent;
    await fake.waitFor(() => texts.length === 2);
    expect(texts).toEqual(['one', 'two']);
  });
});

describe('Socket Mode wire protocol', () => {
  async function connectRaw(): Promise<{ socket: WebSocket; url: string; messages: unknown[] }> {
    const response = await fetch(`${fake.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${APP_TOKEN}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const { url } = (await response.json()) as { url: string };
    const socket = new WebSocket(url);
    const messages: unknown[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => socket.once('open', resolve));
    return { socket, url, messages };
  }

  it('says hello, sends envelopes in Slack’s shape, measures acks and refuses a reused ticket', async () => {
    await useFake({ ackTimeoutMs: 200 });
    const { socket, url, messages } = await connectRaw();
    await fake.waitFor(() => messages.length === 1);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\?ticket=\d+$/);
    expect(messages[0]).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: { host: 'fake', approximate_connection_time: 18060 },
      connection_info: { app_id: 'A0001' },
    });

    const unacked = fake.systemEvent({ type: 'member_joined_channel', user: 'U1', channel: 'C1' });
    await expect(unacked).rejects.toThrow(/not acked in 200 ms/);

    const acked = fake.systemEvent({ type: 'member_joined_channel', user: 'U2', channel: 'C1' });
    const envelope = (await fake.waitFor(() => messages[2])) as { envelope_id: string };
    expect(envelope).toMatchObject({
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        type: 'event_callback',
        team_id: 'T0001',
        api_app_id: 'A0001',
        event: { type: 'member_joined_channel', user: 'U2' },
        authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      },
    });
    socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: {} }));
    expect((await acked).ackMs).toBeGreaterThanOrEqual(0);
    expect(fake.ackLatencies).toHaveLength(1);

    const reused = new WebSocket(url);
    await expect(new Promise((_resolve, reject) => reused.once('error', reject))).rejects.toThrow(/401/);
    socket.close();
  });
});

describe('Web API', () => {
  it('checks tokens and methods like Slack', async () => {
    await expect(webClient().auth.test()).resolves.toMatchObject({
      ok: true,
      team_id: 'T0001',
      user_id: 'UBOT',
      bot_id: 'B0001',
      is_enterprise_install: false,
    });
    await expect(webClient({}, 'xoxp-wrong').auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(webClient().apps.connections.open({})).rejects.toMatchObject({
      data: { error: 'not_allowed_token_type' },
    });
    await expect(webClient().apiCall('chat.frobnicate')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('streams a reply through startStream, appendStream and stopStream', async () => {
    const client = webClient();
    const start = await client.chat.startStream({ channel: 'D1', thread_ts: ROOT_TS, markdown_text: 'Hello' });
    const ts = start.ts as string;
    await client.chat.appendStream({ channel: 'D1', ts, markdown_text: ', wor' });
    await client.chat.appendStream({ channel: 'D1', ts, chunks: [{ type: 'markdown_text', text: 'ld' }] });
    expect(fake.botReplies('D1', ROOT_TS)).toMatchObject([{ ts, text: 'Hello, world', streaming: true }]);

    await expect(client.chat.update({ channel: 'D1', ts, text: 'no' })).rejects.toMatchObject({
      data: { error: 'streaming_state_conflict' },
    });
    const blocks = [{ type: 'context_actions', elements: [] }];
    await client.chat.stopStream({ channel: 'D1', ts, markdown_text: '!', blocks });
    expect(fake.thread('D1', ROOT_TS)).toMatchObject([{ text: 'Hello, world!', streaming: false, blocks }]);
    expect(fake.callsFor('chat.stopStream')[0].args).toMatchObject({ blocks });
    await expect(client.chat.appendStream({ channel: 'D1', ts, markdown_text: 'late' })).rejects.toMatchObject({
      data: { error: 'message_not_in_streaming_state' },
    });

    const streamer = client.chatStream({ channel: 'D1', thread_ts: ROOT_TS });
    await streamer.append({ markdown_text: 'a'.repeat(300) });
    await streamer.stop({ markdown_text: 'b' });
    expect(fake.botReplies('D1', ROOT_TS)[1]).toMatchObject({ text: `${'a'.repeat(300)}b`, streaming: false });
  });

  it('enforces recipients in channels, size limits and a streaming refusal', async () => {
    const client = webClient();
    const stream = { channel: 'C1', thread_ts: ROOT_TS, markdown_text: 'hi' };
    await expect(client.chat.startStream(stream)).rejects.toMatchObject({
      data: { error: 'missing_recipient_user_id' },
    });
    await expect(client.chat.startStream({ ...stream, recipient_user_id: 'U1' })).rejects.toMatchObject({
      data: { error: 'missing_recipient_team_id' },
    });
    const recipient = { recipient_user_id: 'U1', recipient_team_id: 'T0001' };
    const { ts } = await client.chat.startStream({ ...stream, ...recipient });
    await expect(
      client.chat.appendStream({ channel: 'C1', ts: ts as string, markdown_text: 'x'.repeat(11_999) }),
    ).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    await expect(
      client.chat.startStream({ ...stream, ...recipient, markdown_text: 'x'.repeat(12_001) }),
    ).rejects.toMatchObject({ data: { error: 'msg_too_long' } });

    const posted = await client.chat.postMessage({ channel: 'C1', thread_ts: ROOT_TS, text: 'short' });
    await expect(
      client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'x'.repeat(4001) }),
    ).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    await client.chat.update({ channel: 'C1', ts: posted.ts as string, markdown_text: '**edited**' });
    expect(fake.botReplies('C1', ROOT_TS).map((message) => message.text)).toEqual(['hi', '**edited**']);

    fake.refuseStreaming = 'feature_not_enabled';
    await expect(client.chat.startStream({ ...stream, ...recipient })).rejects.toMatchObject({
      data: { error: 'feature_not_enabled' },
    });
  });

  it('pages conversations.replies oldest first with cursors', async () => {
    const client = webClient();
    const root = await client.chat.postMessage({ channel: 'C1', text: 'root' });
    for (const text of ['r1', 'r2', 'r3', 'r4']) {
      await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts as string, text });
    }
    const texts: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.conversations.replies({ channel: 'C1', ts: root.ts as string, limit: 2, cursor });
      texts.push(...(page.messages ?? []).map((message) => message.text ?? ''));
      cursor = page.response_metadata?.next_cursor || undefined;
      pages += 1;
    } while (cursor);
    expect(texts).toEqual(['root', 'r1', 'r2', 'r3', 'r4']);
    expect(pages).toBe(3);
    expect(fake.callsFor('conversations.replies')[0].args).toMatchObject({ limit: '2' });
  });

  it('answers users.info, conversations.info and the assistant thread methods', async () => {
    const client = webClient();
    fake.setUser('UGUEST', { is_restricted: true });
    await expect(client.users.info({ user: 'U1' })).resolves.toMatchObject({
      user: { id: 'U1', team_id: 'T0001', is_bot: false, is_restricted: false, deleted: false },
    });
    await expect(client.users.info({ user: 'UGUEST' })).resolves.toMatchObject({ user: { is_restricted: true } });
    await expect(client.conversations.info({ channel: 'G1' })).resolves.toMatchObject({
      channel: { id: 'G1', is_group: true, is_private: true },
    });

    await client.assistant.threads.setStatus({
      channel_id: 'D1',
      thread_ts: ROOT_TS,
      status: 'is thinking…',
      loading_messages: ['Reading the docs'],
    });
    await client.assistant.threads.setSuggestedPrompts({
      channel_id: 'D1',
      thread_ts: ROOT_TS,
      prompts: [{ title: 'VPN', message: 'How do I set up the VPN?' }],
    });
    expect(fake.callsFor('assistant.threads.setStatus')[0].args).toMatchObject({
      loading_messages: ['Reading the docs'],
    });
    expect(fake.callsFor('assistant.threads.setSuggestedPrompts')[0].args).toMatchObject({
      prompts: [{ title: 'VPN', message: 'How do I set up the VPN?' }],
    });
    expect(fake.threadStatus('D1', ROOT_TS)).toBe('is thinking…');
    await client.chat.postMessage({ channel: 'D1', thread_ts: ROOT_TS, text: 'answer' });
    expect(fake.threadStatus('D1', ROOT_TS)).toBeUndefined();
  });
});

describe('rate limits and faults', () => {
  it('answers the 21st startStream in a minute with 429 and Retry-After', async () => {
    await useFake({ rateLimits: 'tiers' });
    const client = webClient({ retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    for (let i = 0; i < 20; i += 1) {
      await client.chat.startStream({ channel: 'D1', thread_ts: ROOT_TS, markdown_text: `${i}` });
    }
    const limited = client.chat.startStream({ channel: 'D1', thread_ts: ROOT_TS, markdown_text: 'one too many' });
    await expect(limited).rejects.toMatchObject({ code: ErrorCode.RateLimitedError });
    await limited.catch((error: { retryAfter: number }) => expect(error.retryAfter).toBeGreaterThanOrEqual(59));
    expect(fake.rateLimited).toEqual({ 'chat.startStream': 1 });
    expect(fake.total429()).toBe(1);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'chat.startStream', status: 429, error: 'ratelimited' });
  });

  it('limits chat.postMessage to one per second per channel', async () => {
    fake.rateLimits = 'tiers';
    const client = webClient({ retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'second' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 1,
    });
    await client.chat.postMessage({ channel: 'C2', text: 'other channel' });
    expect(fake.total429()).toBe(1);
  });

  it('plays scripted faults; a default WebClient waits out Retry-After and retries', async () => {
    const client = webClient();
    fake.failNext('users.info', { error: 'user_not_found' });
    await expect(client.users.info({ user: 'U1' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(client.users.info({ user: 'U1' })).resolves.toMatchObject({ ok: true });

    fake.failNext('chat.postMessage', { retryAfter: 1 });
    const started = performance.now();
    await client.chat.postMessage({ channel: 'C1', text: 'eventually' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.callsFor('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(fake.rateLimited['chat.postMessage']).toBe(1);

    fake.reset();
    expect(fake.calls).toHaveLength(0);
    expect(fake.total429()).toBe(0);
  });
});
