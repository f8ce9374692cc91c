import { type Harness, startHarness, writeContexts } from '../e2e/harness';
import { answerIn } from '../e2e/replies';
import { type Sample, sampleValue, scrape } from './prom-text';

/** The bot's own Web API calls the fake saw, by method and result as the metric names them. */
function seenBySlack(h: Harness, method: string) {
  const calls = h.slack.callsFor(method);
  return {
    ok: calls.filter((c) => c.status === 200 && !c.error).length,
    rate_limited: calls.filter((c) => c.status === 429).length,
    error: calls.filter((c) => c.status !== 429 && (c.status !== 200 || c.error)).length,
  };
}

/** Polls an async condition every 20 ms until it yields something truthy (the fake's waitFor takes sync ones). */
async function eventually<T>(condition: () => Promise<T | false | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await condition();
    if (result) return result;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function counted(samples: Sample[], method: string) {
  const value = (result: string) => sampleValue(samples, 'support_bot_slack_calls_total', { method, result }) ?? 0;
  return { ok: value('ok'), rate_limited: value('rate_limited'), error: value('error') };
}

describe('operations, end to end on the fake Slack and OpenAI', () => {
  let h: Harness;
  let port: number;
  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);

  beforeEach(async () => {
    h = await startHarness({ HTTP_PORT: '0', SLACK_PING_TIMEOUT_MS: '300' });
    port = h.bot.httpPort() ?? 0;
  });
  afterEach(() => h.close());

  it('counts Slack calls by method and result exactly as Slack saw them, 429s included', async () => {
    expect((await get('/readyz')).status).toBe(200);
    h.openai.enqueue({ text: 'Open GlobalProtect and click Connect.', chunkChars: 6 }, { text: 'Restart it.' });
    const first = await h.slack.userMessage({ channel: 'D0OPS', user: 'U0OPS', text: 'How do I use the VPN?' });
    await answerIn(h.slack, 'D0OPS', first.ts);
    h.slack.failNext('chat.startStream', { retryAfter: 1 });
    const second = await h.slack.userMessage({ channel: 'D0OPS2', user: 'U0OPS', text: 'It hangs.' });
    await answerIn(h.slack, 'D0OPS2', second.ts);

    const { samples } = await scrape(port);
    expect(seenBySlack(h, 'chat.startStream')).toEqual({ ok: 2, rate_limited: 1, error: 0 });
    for (const method of ['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'assistant.threads.setStatus']) {
      expect({ method, ...counted(samples, method) }).toEqual({ method, ...seenBySlack(h, method) });
    }
  });

  it('counts a Slack error as an error, and times the store operations by name', async () => {
    h.openai.enqueue({ text: 'Payroll runs on the 25th.' });
    h.slack.failNext('assistant.threads.setStatus', { error: 'not_allowed_token_type' });
    const { ts } = await h.slack.userMessage({ channel: 'D0OPS3', user: 'U0OPS', text: 'When is payroll?' });
    await answerIn(h.slack, 'D0OPS3', ts);
    const samples = await eventually(async () => {
      const { samples: now } = await scrape(port);
      // The turn is saved after the answer shows: wait for the last write of the answer's store work.
      return (sampleValue(now, 'support_bot_store_seconds_count', { op: 'append' }) ?? 0) > 0 && now;
    });
    expect(counted(samples, 'assistant.threads.setStatus').error).toBe(1);
    // Named after the store's own methods, whatever they are (the store interface is free to change).
    const timed = samples.filter((sample) => sample.name === 'support_bot_store_seconds_count');
    const store = h.bot.store as unknown as Record<string, unknown>;
    expect(timed.length).toBeGreaterThanOrEqual(3);
    for (const { labels, value } of timed) {
      expect(typeof store[labels.op]).toBe('function');
      expect(value).toBeGreaterThanOrEqual(1);
    }
  });

  it('counts the tokens the model reported, cached input apart, and their estimated cost at the price table', async () => {
    h.openai.enqueue(
      { text: 'Restart the laptop.', usage: { input: 3_000, cached: 2_048, output: 40 } },
      { text: 'Then reinstall.', usage: { input: 3_100, cached: 3_072, output: 10 } },
    );
    const first = await h.slack.userMessage({ channel: 'D0OPS4', user: 'U0OPS', text: 'Laptop slow?' });
    await answerIn(h.slack, 'D0OPS4', first.ts);
    await h.slack.userMessage({ channel: 'D0OPS4', user: 'U0OPS', text: 'Still?', threadTs: first.ts });
    await answerIn(h.slack, 'D0OPS4', first.ts, 2);
    const { samples } = await scrape(port);
    const model = 'gpt-5.4-mini';
    const tokens = (kind: string) => sampleValue(samples, 'support_bot_model_tokens_total', { model, kind });
    expect({ input: tokens('input'), cached: tokens('cached'), output: tokens('output') }).toEqual({
      input: 952 + 28,
      cached: 2_048 + 3_072,
      output: 50,
    });
    // The built-in estimate for gpt-5.4-mini: $0.75 input, $0.075 cached, $4.50 output per 1M tokens.
    const usd = (980 * 0.75 + 5_120 * 0.075 + 50 * 4.5) / 1_000_000;
    expect(sampleValue(samples, 'support_bot_estimated_cost_usd_total', { model })).toBeCloseTo(usd, 12);
  });

  it("counts the calls listeners make on Bolt's own client too (suggested prompts on opening the DM)", async () => {
    const prompts =
      '---\nname: IT\nsuggested_prompts:\n  - title: VPN\n    message: Help with the VPN\n---\nMacBooks.\n';
    const other = await h.startBot({ CONTEXTS_DIR: writeContexts({ 'default.md': prompts }), HTTP_PORT: '0' });
    await h.bot.stop();
    await h.slack.waitFor(() => h.slack.connectionCount() === 1);
    const ts = `${Math.floor(Date.now() / 1000)}.000001`;
    await h.slack.systemEvent({
      type: 'app_home_opened',
      user: 'U1',
      channel: 'D0HOME',
      tab: 'messages',
      event_ts: ts,
    });
    await h.slack.waitFor(() => h.slack.callsFor('assistant.threads.setSuggestedPrompts').length === 1);
    const { samples } = await scrape(other.bot.httpPort() ?? 0);
    expect(counted(samples, 'assistant.threads.setSuggestedPrompts')).toEqual({ ok: 1, rate_limited: 0, error: 0 });
  });

  it('reports the socket: connected, down while Slack asks it to reconnect, a reconnect counted, ready again', async () => {
    let { samples } = await scrape(port);
    expect(sampleValue(samples, 'support_bot_socket_connected')).toBe(1);
    expect(sampleValue(samples, 'support_bot_socket_reconnects_total')).toBe(0);
    const down = eventually(async () => {
      const res = await get('/readyz');
      return res.status === 503 && ((await res.json()) as { reason: string }).reason;
    });
    await h.slack.disconnectAll();
    expect(await down).toBe('socket not connected');
    await eventually(async () => (await get('/readyz')).status === 200);
    ({ samples } = await scrape(port));
    expect(sampleValue(samples, 'support_bot_socket_connected')).toBe(1);
    expect(sampleValue(samples, 'support_bot_socket_reconnects_total')).toBeGreaterThanOrEqual(1);
  });

  it('turns not ready as soon as draining begins, while staying alive', async () => {
    expect((await get('/readyz')).status).toBe(200);
    h.bot.beginDraining();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', reason: 'draining' });
    expect((await get('/healthz')).status).toBe(200);
  });

  it('closes the ops server when the bot stops', async () => {
    await h.bot.stop();
    await expect(get('/healthz')).rejects.toThrow();
  });
});
