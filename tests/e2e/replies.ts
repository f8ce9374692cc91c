import type { FakeSlack } from '../helpers/fake-slack';
import type { Harness } from './harness';

/** Waits for at least `count` finished (not streaming) bot replies in a thread and returns their joined text. */
export async function answerIn(slack: FakeSlack, channel: string, threadTs: string, count = 1): Promise<string> {
  const replies = await slack.waitFor(() => {
    const found = slack.botReplies(channel, threadTs);
    return found.length >= count && found.every((m) => !m.streaming) ? found : undefined;
  }, 10_000);
  return replies.map((m) => m.text).join('\n');
}

/** Sends a plain DM and returns the answer: proof the bot is alive and serving. */
export async function stillAnswers(h: Harness, text = 'are you still there?'): Promise<string> {
  const { ts } = await h.slack.userMessage({ channel: 'D0ALIVE', user: 'U0ALIVE', text });
  return answerIn(h.slack, 'D0ALIVE', ts);
}

const WRITES = ['chat.postMessage', 'chat.update', 'chat.startStream', 'chat.appendStream', 'chat.stopStream'];

/** Every piece of text the bot sent to Slack in write calls (text, markdown, blocks), in order. */
export function textsSent(slack: FakeSlack): string[] {
  return slack.calls
    .filter((call) => WRITES.includes(call.method))
    .map((call) => {
      const { text, markdown_text: markdown, blocks, chunks } = call.args;
      return [text, markdown, blocks, chunks]
        .filter((part) => part !== undefined)
        .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
        .join('\n');
    });
}

/** Waits a little so that anything the bot would still do (a late answer) has happened. */
export const settle = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `ok` holds (the store is written after the reply goes out). */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (performance.now() > deadline) throw new Error('eventually: timed out');
    await settle(20);
  }
}
