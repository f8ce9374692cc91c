/** Child process for bench/files.ts: the fake Slack (serving files) and the fake OpenAI, apart from the measured bot. */
import { performance } from 'node:perf_hooks';
import { type FakeOpenAI, imagesOf, startFakeOpenAI } from '../tests/helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../tests/helpers/fake-slack';
import { ready, serve } from './ipc';

let slack: FakeSlack | undefined;
let openai: FakeOpenAI | undefined;
const started = () => {
  if (!slack || !openai) throw new Error('fakes not started');
  return { slack, openai };
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
let asked = 0;

/** What one question gave: event → model request (ms, this process's clock), and whether it was answered. */
interface Asked {
  requestMs?: number;
  images: number;
  answered: boolean;
  /** When its model request arrived, ms after the batch was sent (the rest is Slack's write pacing). */
  sinceBatchMs?: number;
}

const handlers = {
  async start() {
    slack = await startFakeSlack({ rateLimits: 'off' });
    openai = await startFakeOpenAI();
    return { apiUrl: slack.apiUrl, baseURL: openai.baseURL };
  },

  async connected() {
    await started().slack.waitForConnections(1, 20_000);
    return true;
  },

  /** A PNG-signed file of `bytes` bytes, kept by the fake Slack; returns its id. */
  addPng(args: { name: string; bytes: number }) {
    const bytes = Buffer.alloc(args.bytes, 0x42);
    Buffer.from(PNG_SIGNATURE).copy(bytes);
    return started().slack.files.add({ name: args.name, mimetype: 'image/png', bytes });
  },

  /** Delay before the model's first delta, so concurrent answers overlap as real ones do. */
  pace(args: { ttftMs: number }) {
    started().openai.respond(() => ({ text: 'Looks like a driver error.', ttftMs: args.ttftMs }));
    return true;
  },

  /**
   * `count` DMs at once (one person each), each with `file` attached when given; resolves once all are answered.
   * With count 1 the model request is this question's, so event → request is measured exactly.
   */
  async ask(args: { count: number; file?: Record<string, unknown> }): Promise<Asked[]> {
    const { slack: s, openai: o } = started();
    const from = o.requests.length;
    const batchStart = performance.now();
    const questions = Array.from({ length: args.count }, async (): Promise<Asked> => {
      const n = ++asked;
      const channel = `D0BENCH${n}`;
      const t0 = performance.now();
      const { ts } = await s.userMessage({
        channel,
        user: `UBENCH${n}`,
        text: 'What does this error mean?',
        ...(args.file ? { subtype: 'file_share', files: [args.file] } : {}),
      });
      const answered = await s
        .waitFor(() => {
          const replies = s.botReplies(channel, ts);
          return replies.length > 0 && replies.every((m) => !m.streaming);
        }, 120_000)
        .catch(() => false);
      const request = args.count === 1 ? o.requests[from] : undefined;
      return { requestMs: request ? request.at - t0 : undefined, images: 0, answered };
    });
    const results = await Promise.all(questions);
    o.requests.slice(from).forEach((request, i) => {
      results[i].images = imagesOf(request).length;
      results[i].sinceBatchMs = request.at - batchStart;
    });
    // Forget the bodies (5 MB images each): the fakes' memory is not what is measured, but it should not swap.
    o.requests.length = 0;
    return results;
  },

  async stop() {
    await slack?.close();
    await openai?.close();
    return true;
  },
};

export type FilesFakesHandlers = typeof handlers;

serve(handlers);
ready();
