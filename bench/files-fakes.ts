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

const handlers = {
  async start() {
    slack = await startFakeSlack();
    openai = await startFakeOpenAI();
    return { apiUrl: slack.apiUrl, baseURL: openai.baseURL };
  },

  /** A PNG-signed file of `bytes` bytes; returns its entry for an event's files[]. */
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

  /** When each model request was fully received (epoch ms), and how many images each carried; then forgets them. */
  drainRequests() {
    const { openai: fake } = started();
    const out = fake.requests.map((r) => ({ at: performance.timeOrigin + r.at, images: imagesOf(r).length }));
    fake.requests.length = 0;
    return out;
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
