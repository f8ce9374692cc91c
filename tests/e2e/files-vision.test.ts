/** Image questions over Chat Completions, and set-ups that cannot show images: the answer comes from the text. */
import { IMAGES_UNREADABLE_NOTE } from '../../src/files/describe';
import { imagesOf, lastUserText, promptText } from '../helpers/fake-openai';
import { ask, decoded, MARK, occurrences, screenshot } from './file-questions';
import { type Harness, startHarness } from './harness';

describe('files with Chat Completions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPENAI_API: 'chat' });
  });
  afterAll(() => h.close());

  it('sends a screenshot as an image_url part', async () => {
    const { request } = await ask(h, { channel: 'D0CHAT1', text: 'what is this?' }, [screenshot()]);
    const images = imagesOf(request);
    expect(images).toHaveLength(1);
    expect(images[0].type).toBe('image_url');
    expect(decoded(images[0].url)).toContain(MARK.image);
  });

  it('a server that rejects image parts: answers from the text and says so once', async () => {
    h.openai.rejectImageParts();
    try {
      h.openai.enqueue({ text: 'From your words: restart the app.' });
      const first = await ask(h, { channel: 'D0CHAT2', text: 'app crashed, see screenshots' }, [
        screenshot('one.png'),
        screenshot('two.png'),
      ]);
      expect(first.answer).toContain('restart the app');
      expect(occurrences(first.answer, IMAGES_UNREADABLE_NOTE)).toBe(1);
      expect(imagesOf(first.request)).toHaveLength(0);
      expect(lastUserText(first.request)).toContain('app crashed');

      // Remembered: a follow-up no longer sends the thread's images (no refused request), and does not repeat the note.
      const before = h.openai.requests.length;
      const follow = await ask(h, { channel: 'D0CHAT2', text: 'and now?', threadTs: first.ts }, [], 2);
      expect(h.openai.requests.length - before).toBe(1);
      expect(imagesOf(follow.request)).toHaveLength(0);
      expect(occurrences(follow.answer.replace(first.answer, ''), IMAGES_UNREADABLE_NOTE)).toBe(0);
    } finally {
      h.openai.rejectImageParts(false);
    }
  });
});

describe('files with vision off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPENAI_VISION: 'false' });
  });
  afterAll(() => h.close());

  it('does not download images, answers from the text, says so once, and still reads text files', async () => {
    h.openai.enqueue({ text: 'Going by your description: reinstall.' });
    const { answer, request } = await ask(h, { channel: 'D0NOVIS', text: 'error on start' }, [
      screenshot('a.png'),
      screenshot('b.png'),
      { name: 'start.log', mimetype: 'text/plain', bytes: Buffer.from(MARK.log) },
    ]);
    expect(answer).toContain('reinstall');
    expect(occurrences(answer, IMAGES_UNREADABLE_NOTE)).toBe(1);
    expect(imagesOf(request)).toHaveLength(0);
    expect(promptText(request)).toContain(MARK.log);
    expect(lastUserText(request)).toMatch(/could not read: .*"a\.png"/);
    expect(h.slack.files.requests.filter((r) => r.path.includes('.png'))).toEqual([]);
  });
});
