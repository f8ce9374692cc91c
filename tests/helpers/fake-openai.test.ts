import { type FakeOpenAI, lastUserText, promptText, startFakeOpenAI } from './fake-openai';

let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await fake.close();
});

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** Parses an SSE body into { event, data } records. */
function frames(text: string): { event?: string; data: string }[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '';
      return { event, data };
    });
}

const responsesBody = {
  model: 'm',
  instructions: 'Be brief.',
  input: [{ role: 'user', content: 'Hi?' }],
  stream: true,
};
const chatBody = {
  model: 'm',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi?' },
  ],
  stream: true,
  stream_options: { include_usage: true },
};

it('streams Responses API events in order with increasing sequence numbers', async () => {
  fake.enqueue({ deltas: ['a', 'b'], usage: { input: 7, output: 2, cached: 3 } });
  const res = await post('/responses', responsesBody);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events = frames(await res.text());
  expect(events.map((e) => e.event)).toEqual([
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.completed',
  ]);
  const data = events.map((e) => JSON.parse(e.data));
  expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
  expect(data.every((d, i) => d.type === events[i].event)).toBe(true);
  expect(data[4]).toMatchObject({ delta: 'a', output_index: 0, content_index: 0, logprobs: [] });
  expect(data[6].text).toBe('ab');
  expect(data[9].response).toMatchObject({
    status: 'completed',
    usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 3 }, output_tokens: 2, total_tokens: 9 },
  });
});

it('streams Chat Completions chunks, a usage chunk and [DONE]', async () => {
  fake.enqueue({ deltas: ['a', 'b'], finish: 'length' });
  const events = frames(await (await post('/chat/completions', chatBody)).text());
  expect(events.at(-1)?.data).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
  expect(chunks[0].choices[0].delta.role).toBe('assistant');
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? null)).toEqual(['', 'a', 'b', null, null]);
  expect(chunks[3].choices[0].finish_reason).toBe('length');
  expect(chunks[4].choices).toEqual([]);
  expect(chunks[4].usage).toMatchObject({ completion_tokens: 2 });
});

it('rejects a non-streaming request with 400', async () => {
  const res = await post('/responses', { ...responsesBody, stream: false });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: Record<string, unknown> }).error.param).toBe('stream');
});

it('waits ttftMs before the first delta and records when it was sent', async () => {
  fake.enqueue({ ttftMs: 100 });
  await (await post('/responses', responsesBody)).text();
  expect(fake.firstDeltaSentAt).toHaveLength(1);
  expect(fake.firstDeltaSentAt[0] - fake.requests[0].at).toBeGreaterThanOrEqual(95);
});

it('sends a scripted error status with its headers', async () => {
  fake.enqueue({ status: 429, headers: { 'retry-after': '0' } });
  const res = await post('/chat/completions', chatBody);
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('0');
  expect(((await res.json()) as { error: Record<string, unknown> }).error.type).toBe('rate_limit_error');
});

it('counts open streams and ends stalled ones on close', async () => {
  fake.enqueue({ stallAfter: 1 });
  const res = await post('/responses', responsesBody);
  expect(fake.openStreams()).toBe(1);
  const outcome = res.text().then(
    () => 'ended',
    () => 'cut',
  );
  await fake.close();
  expect(await outcome).toBe('cut');
  expect(fake.openStreams()).toBe(0);
});

it('extracts what was sent from either API', async () => {
  await (await post('/responses', responsesBody)).text();
  await (await post('/chat/completions', chatBody)).text();
  for (const req of fake.requests) {
    expect(lastUserText(req)).toBe('Hi?');
    expect(promptText(req)).toBe('Be brief.\nHi?');
  }
});
