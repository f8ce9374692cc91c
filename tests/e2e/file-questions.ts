/** Helpers for the e2e file tests: a question with files, as Slack delivers it, and what the model was sent. */
import type { RecordedRequest } from '../helpers/fake-openai';
import type { FakeFileInput } from '../helpers/fake-slack';
import { png } from '../helpers/file-world';
import type { Harness } from './harness';
import { answerIn } from './replies';
export const BOT = 'UBOT';
/** Distinctive contents: none of them may appear in a log line or in the store. */
export const MARK = {
  image: 'IMGPAYLOAD-quux-4242',
  log: 'LOGLINE-frobozz-9191: disk quota exceeded',
  pdf: 'PDFTEXT-zorkmid-5353 badge reader offline',
};

/** A user posts files (subtype file_share) and the bot answers; returns the message ts and the model request. */
export async function ask(
  h: Harness,
  message: { channel: string; user?: string; text: string; threadTs?: string },
  files: FakeFileInput[],
  answers = 1,
): Promise<{ ts: string; answer: string; request: RecordedRequest }> {
  const before = h.openai.requests.length;
  const { ts } = await h.slack.userMessage({
    user: 'U0ASKER',
    ...message,
    ...(files.length > 0 ? { subtype: 'file_share', files: files.map((file) => h.slack.files.add(file)) } : {}),
  });
  const answer = await answerIn(h.slack, message.channel, message.threadTs ?? ts, answers);
  const request = h.openai.requests.slice(before).at(-1);
  if (!request) throw new Error('the model was not asked');
  return { ts, answer, request };
}

export const screenshot = (name = 'error.png', mark = MARK.image): FakeFileInput => ({
  name,
  mimetype: 'image/png',
  bytes: png(mark),
});

/** The PNG bytes a data: URL carries. */
export const decoded = (url: string) =>
  Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64').toString('latin1');

/** Counts non-overlapping occurrences. */
export const occurrences = (text: string, part: string) => text.split(part).length - 1;
