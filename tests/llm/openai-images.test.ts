import type { LlmEvent, LlmRequest } from '../../src/llm/llm';
import type { OpenAiLlmOptions } from '../../src/llm/openai-llm';
import { type FakeOpenAI, imagesOf, lastUserText, messagesOf, startFakeOpenAI } from '../helpers/fake-openai';
import { testLlm } from '../helpers/test-llm';

const SHOT =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PHOTO = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA==';

const REQUEST: LlmRequest = {
  instructions: 'You are the support desk.',
  messages: [
    { role: 'user', content: 'Earlier question' },
    { role: 'assistant', content: 'Earlier answer' },
    {
      role: 'user',
      content: 'What does this error mean?',
      images: [
        { dataUrl: SHOT, name: 'error.png' },
        { dataUrl: PHOTO, name: 'screen.jpg' },
      ],
    },
  ],
};

let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await fake.close();
});

async function run(api: OpenAiLlmOptions['api'], overrides: Partial<OpenAiLlmOptions> = {}): Promise<LlmEvent[]> {
  const llm = testLlm(fake.baseURL, api, overrides);
  const events: LlmEvent[] = [];
  try {
    for await (const event of llm.stream(REQUEST, { signal: new AbortController().signal })) events.push(event);
  } finally {
    await llm.close();
  }
  return events;
}

// Where the question sits in the raw list: both APIs send the instructions as the first message.
const questionAt = 3;

describe.each([
  ['responses', 'input_image'],
  ['chat', 'image_url'],
] as const)('images (%s API)', (api, partType) => {
  it(`sends every image of the question as a ${partType} part after its text`, async () => {
    const events = await run(api);
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    expect(events.at(-1)).not.toHaveProperty('visionRejected');
    const [req] = fake.requests;
    expect(imagesOf(req)).toEqual([
      { url: SHOT, message: questionAt, type: partType },
      { url: PHOTO, message: questionAt, type: partType },
    ]);
    expect(lastUserText(req)).toBe('What does this error mean?');
    expect(messagesOf(req).map((m) => m.content)).toEqual([
      'Earlier question',
      'Earlier answer',
      'What does this error mean?',
    ]);
  });

  it('when the server refuses image parts (400), asks once more without them and says so on done', async () => {
    fake.rejectImageParts();
    fake.enqueue({ text: 'Answered from the text.' });
    const events = await run(api);
    expect(fake.requests).toHaveLength(2);
    expect(imagesOf(fake.requests[1])).toEqual([]);
    expect(lastUserText(fake.requests[1])).toBe('What does this error mean?');
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe('Answered from the text.');
    expect(events.at(-1)).toMatchObject({ type: 'done', visionRejected: true });
  });

  it('with vision off, never sends an image part', async () => {
    await run(api, { vision: false });
    expect(fake.requests).toHaveLength(1);
    expect(imagesOf(fake.requests[0])).toEqual([]);
    expect(lastUserText(fake.requests[0])).toBe('What does this error mean?');
  });

  it('does not retry a 400 when the request had no images', async () => {
    fake.enqueue({ status: 400 });
    const llm = testLlm(fake.baseURL, api);
    const textOnly = { ...REQUEST, messages: REQUEST.messages.map(({ images: _, ...m }) => m) };
    const consume = async () => {
      for await (const _event of llm.stream(textOnly, { signal: new AbortController().signal })) {
        // drain
      }
    };
    await expect(consume()).rejects.toMatchObject({ name: 'LlmError', kind: 'bad_request' });
    await llm.close();
    expect(fake.requests).toHaveLength(1);
  });
});
