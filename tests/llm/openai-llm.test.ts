import { setTimeout as sleep } from 'node:timers/promises';
import { LlmError } from '../../src/errors';
import type { LlmEvent, LlmRequest } from '../../src/llm/llm';
import type { OpenAiLlmOptions } from '../../src/llm/openai-llm';
import { type FakeOpenAI, instructionsOf, messagesOf, startFakeOpenAI } from '../helpers/fake-openai';
import { testLlm } from '../helpers/test-llm';

const REQUEST: LlmRequest = {
  instructions: 'You are the support desk of Acme.',
  messages: [
    { role: 'user', content: 'How do I reset my password?' },
    { role: 'assistant', content: 'Use the reset link.' },
    { role: 'user', content: 'Where is the link?' },
  ],
};

let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await fake.close();
});

function makeLlm(api: OpenAiLlmOptions['api'], overrides: Partial<OpenAiLlmOptions> = {}) {
  return testLlm(fake.baseURL, api, overrides);
}

/** Runs a stream to its end, keeping what was yielded and what was thrown. */
async function collect(
  api: OpenAiLlmOptions['api'],
  overrides: Partial<OpenAiLlmOptions> = {},
  signal = new AbortController().signal,
): Promise<{ events: LlmEvent[]; error?: LlmError }> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of makeLlm(api, overrides).stream(REQUEST, { signal })) events.push(event);
  } catch (error) {
    if (!(error instanceof LlmError)) throw error;
    return { events, error };
  }
  return { events };
}

const deltaTexts = (events: LlmEvent[]) => events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
/** The text streamed: deltas that arrive in one network chunk come as one. */
const textOf = (events: LlmEvent[]) => deltaTexts(events).join('');

describe.each(['responses', 'chat'] as const)('createOpenAiLlm (%s API)', (api) => {
  it('streams deltas in order, then done with usage', async () => {
    fake.enqueue({ deltas: ['Hel', 'lo', ' world', '!'], usage: { input: 120, output: 4, cached: 64 } });
    const { events, error } = await collect(api);
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Hello world!');
    expect(events.slice(0, -1).every((e) => e.type === 'delta')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'done', usage: { inputTokens: 120, outputTokens: 4, cachedTokens: 64 } });
  });

  it('yields each delta as it arrives when the model writes them apart', async () => {
    fake.enqueue({ deltas: ['Hel', 'lo', ' world', '!'], deltaDelayMs: 40 });
    const { events } = await collect(api);
    expect(deltaTexts(events)).toEqual(['Hel', 'lo', ' world', '!']);
  });

  it('sends instructions first, then the history in order, and nothing it was not asked for', async () => {
    await collect(api, { maxOutputTokens: 500 });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.api).toBe(api);
    expect(req.body.model).toBe('gpt-test');
    expect(req.body.stream).toBe(true);
    expect(instructionsOf(req)).toBe(REQUEST.instructions);
    expect(messagesOf(req)).toEqual(REQUEST.messages);
    expect(req.headers.authorization).toBe('Bearer sk-test');
    for (const key of ['temperature', 'top_p', 'reasoning']) expect(req.body).not.toHaveProperty(key);
    if (api === 'responses') {
      // As the first input message: a response repeats an `instructions` field in three of its stream events.
      expect(req.body.input[0]).toEqual({ role: 'developer', content: REQUEST.instructions });
      expect(req.body).not.toHaveProperty('instructions');
      expect(req.body.store).toBe(false);
      expect(req.body.max_output_tokens).toBe(500);
    } else {
      expect(req.body.messages[0]).toEqual({ role: 'system', content: REQUEST.instructions });
      expect(req.body.stream_options).toEqual({ include_usage: true });
      expect(req.body.max_completion_tokens).toBe(500);
    }
  });

  it('asks for structured output only when the request carries a JSON schema', async () => {
    const schema = { type: 'object', properties: { pass: { type: 'boolean' } }, required: ['pass'] };
    const llm = makeLlm(api);
    const signal = new AbortController().signal;
    for await (const _ of llm.stream(REQUEST, { signal })) {
    }
    for await (const _ of llm.stream({ ...REQUEST, jsonSchema: { name: 'verdict', schema } }, { signal })) {
    }
    const [plain, structured] = fake.requests;
    const format = { type: 'json_schema', strict: true, name: 'verdict', schema };
    if (api === 'responses') {
      expect(plain.body).not.toHaveProperty('text');
      expect(structured.body.text).toEqual({ format });
    } else {
      expect(plain.body).not.toHaveProperty('response_format');
      expect(structured.body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { strict: true, name: 'verdict', schema },
      });
    }
  });

  it('retries a 500 transparently', async () => {
    fake.enqueue({ status: 500, headers: { 'retry-after-ms': '1' } }, { text: 'Recovered.' });
    const { events, error } = await collect(api, { maxRetries: 2 });
    expect(error).toBeUndefined();
    expect(deltaTexts(events).join('')).toBe('Recovered.');
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on a persistent 500 with kind server and the status', async () => {
    fake.respond(() => ({ status: 500, headers: { 'retry-after-ms': '1' } }));
    const { events, error } = await collect(api, { maxRetries: 1 });
    expect(events).toEqual([]);
    expect(error).toMatchObject({ kind: 'server', status: 500 });
    expect(fake.requests).toHaveLength(2);
  });

  it('maps 401 to auth without retrying', async () => {
    fake.enqueue({
      status: 401,
      errorBody: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } },
    });
    const { error } = await collect(api, { maxRetries: 2 });
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error?.message).toContain('Incorrect API key');
    expect(error?.cause).toBeDefined();
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 400 to bad_request', async () => {
    fake.enqueue({ status: 400 });
    const { error } = await collect(api, { maxRetries: 2 });
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 429 that says retry-after: 0', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '0' } });
    const { events, error } = await collect(api, { maxRetries: 1 });
    expect(error).toBeUndefined();
    expect(deltaTexts(events).join('')).toBe('Hello from the fake model.');
    expect(fake.requests).toHaveLength(2);
  });

  it('reports rate_limited when 429 persists', async () => {
    fake.respond(() => ({ status: 429, headers: { 'retry-after': '0' } }));
    const { error } = await collect(api, { maxRetries: 1 });
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429 });
  });

  it('times out when the headers take longer than timeoutMs', async () => {
    fake.enqueue({ headersDelayMs: 1_000 });
    const { error } = await collect(api, { timeoutMs: 100 });
    expect(error?.kind).toBe('timeout');
  });

  it('aborts a stream that stalls after some deltas with kind stalled', async () => {
    fake.enqueue({ deltas: ['a', 'b', 'c', 'd'], stallAfter: 2 });
    const { events, error } = await collect(api, { idleTimeoutMs: 200 });
    expect(textOf(events)).toBe('ab');
    expect(error?.kind).toBe('stalled');
    await waitFor(() => fake.openStreams() === 0);
  });

  it('aborts a stream that sends nothing after the headers with kind stalled', async () => {
    fake.enqueue({ stallAfter: 0 });
    const { events, error } = await collect(api, { idleTimeoutMs: 200 });
    expect(events).toEqual([]);
    expect(error?.kind).toBe('stalled');
  });

  it('does not count a slow consumer as a stall', async () => {
    fake.enqueue({ deltas: ['a', 'b', 'c'], deltaDelayMs: 40 });
    const events: LlmEvent[] = [];
    const llm = makeLlm(api, { idleTimeoutMs: 100 });
    for await (const event of llm.stream(REQUEST, { signal: new AbortController().signal })) {
      events.push(event);
      await sleep(250);
    }
    expect(textOf(events)).toBe('abc');
    expect(deltaTexts(events).length).toBeGreaterThan(1);
    expect(events.at(-1)?.type).toBe('done');
  });

  it('reports connection when the socket dies mid-stream, after the deltas already sent', async () => {
    fake.enqueue({ deltas: ['one ', 'two ', 'three'], cutAfter: 2 });
    const { events, error } = await collect(api);
    expect(textOf(events)).toBe('one two ');
    expect(error?.kind).toBe('connection');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports server for an error event inside the stream', async () => {
    fake.enqueue({ deltas: ['x', 'y'], sseErrorAfter: 1 });
    const { events, error } = await collect(api);
    expect(textOf(events)).toBe('x');
    expect(error?.kind).toBe('server');
  });

  it('ends quietly when the caller aborts mid-stream', async () => {
    fake.enqueue({ text: 'a long answer that keeps coming', chunkChars: 2, deltaDelayMs: 30 });
    const controller = new AbortController();
    const events: LlmEvent[] = [];
    for await (const event of makeLlm(api).stream(REQUEST, { signal: controller.signal })) {
      events.push(event);
      if (events.length === 2) controller.abort();
    }
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.type === 'delta')).toBe(true);
    await waitFor(() => fake.openStreams() === 0);
  });

  it('yields nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { events, error } = await collect(api, {}, controller.signal);
    expect(events).toEqual([]);
    expect(error).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it('marks an answer cut by the output token limit as truncated', async () => {
    fake.enqueue({ deltas: ['partial'], finish: 'length', usage: { input: 10, output: 1 } });
    const { events } = await collect(api);
    expect(events.at(-1)).toEqual({
      type: 'done',
      truncated: true,
      usage: { inputTokens: 10, outputTokens: 1, cachedTokens: 0 },
    });
  });
});

describe('createOpenAiLlm connections', () => {
  // undici drops an idle connection after 4 s when the server gives no hint; a burst of questions after a quiet
  // spell would then open (and, against OpenAI, TLS-handshake) one new connection per question.
  it('reuses its connection to the model server for a question asked after a quiet spell', async () => {
    const llm = makeLlm('responses');
    const ask = async () => {
      for await (const _ of llm.stream(REQUEST, { signal: new AbortController().signal })) {
      }
    };
    try {
      await ask();
      await sleep(5_500);
      await ask();
      expect(fake.requests).toHaveLength(2);
      expect(fake.connections()).toBe(1);
    } finally {
      await llm.close();
    }
  }, 15_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
