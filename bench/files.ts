/**
 * `npm run bench:files`: what attachments cost. (1) An event with a 1 MB PNG → model request, p50 overhead over a
 * file-less question, on loopback. (2) 50 questions each with a 5 MB image at once: peak RSS and RSS after.
 * Runs the bot's own pieces (parseFileRefs → readAttachments → createOpenAiLlm) in this process against the fakes in
 * a child process, so the fakes' memory is not counted.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttachmentDeps,
  createAttachmentResources,
  DEFAULT_ATTACHMENT_CAPS,
  readAttachments,
} from '../src/files/attachments';
import { describeAttachments } from '../src/files/describe';
import { parseFileRefs } from '../src/files/file-ref';
import type { LlmRequest } from '../src/llm/llm';
import { createOpenAiLlm } from '../src/llm/openai-llm';
import type { FilesFakesHandlers } from './files-fakes';
import { start } from './ipc';
import { fmt, percentile } from './stats';

const BOT_TOKEN = 'xoxb-111-222-benchbottoken';
const MB = 1024 * 1024;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const rssMb = () => process.memoryUsage.rss() / MB;

async function main(): Promise<void> {
  const fakes = start<FilesFakesHandlers>(path.join(__dirname, 'files-fakes.js'));
  await fakes.ready;
  const { apiUrl, baseURL } = await fakes.call.start();
  const resources = createAttachmentResources();
  const deps: AttachmentDeps = {
    botToken: BOT_TOKEN,
    slackApiUrl: apiUrl,
    filesInfo: () => Promise.reject(new Error('not used')),
    caps: DEFAULT_ATTACHMENT_CAPS,
    vision: true,
    logger: silent,
    resources,
  };
  const llm = createOpenAiLlm({
    apiKey: 'sk-bench',
    baseURL,
    model: 'gpt-bench',
    api: 'responses',
    timeoutMs: 30_000,
    maxRetries: 0,
    idleTimeoutMs: 30_000,
  });

  /** One question from its event to the end of the answer; resolves with when it started and whether images went. */
  async function ask(event: Record<string, unknown>): Promise<{ t0: number; images: number }> {
    const t0 = performance.timeOrigin + performance.now();
    const attachments = await readAttachments(parseFileRefs(event), deps);
    try {
      const request: LlmRequest = {
        instructions: 'You are the support desk.',
        messages: [
          {
            role: 'user',
            content: `${String(event.text)}\n\n${describeAttachments(attachments)}`,
            images: attachments.images.map(({ dataUrl, name }) => ({ dataUrl, name })),
          },
        ],
      };
      for await (const _event of llm.stream(request, { signal: new AbortController().signal })) {
        // The answer itself is not measured here.
      }
      return { t0, images: attachments.images.length };
    } finally {
      attachments.release();
    }
  }

  // (1) Overhead of a 1 MB PNG, file-less and image questions interleaved.
  await fakes.call.pace({ ttftMs: 0 });
  const png1 = await fakes.call.addPng({ name: 'screenshot.png', bytes: 1 * MB });
  const plain: number[] = [];
  const withImage: number[] = [];
  for (let i = 0; i < 60; i++) {
    for (const files of [[], [png1]]) {
      const { t0 } = await ask({ text: 'What does this error mean?', files });
      const [received] = await fakes.call.drainRequests();
      if (i >= 10) (files.length ? withImage : plain).push(received.at - t0);
    }
  }
  const overhead = percentile(withImage, 0.5) - percentile(plain, 0.5);

  // (2) 50 questions with a 5 MB image each, at once; answers take 500 ms so they overlap.
  await fakes.call.pace({ ttftMs: 500 });
  const png5 = await fakes.call.addPng({ name: 'photo.png', bytes: 5 * MB });
  global.gc?.();
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 5);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 50 }, () => ask({ text: 'Is this screen broken?', files: [png5] })),
  );
  const burstMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb());
  const received = await fakes.call.drainRequests();
  global.gc?.();
  await sleep(500);
  global.gc?.();
  const after = rssMb();

  const rows = [
    ['1 MB PNG → model request, p50 (file-less)', `${fmt(percentile(plain, 0.5))} ms`],
    ['1 MB PNG → model request, p50 (with image)', `${fmt(percentile(withImage, 0.5))} ms`],
    ['p50 overhead of the image (target ≤ 25 ms)', `${fmt(overhead)} ms`],
    ['50 × 5 MB images at once: answered with their image', `${results.filter((r) => r.images === 1).length} / 50`],
    ['  model requests carrying the image', `${received.filter((r) => r.images === 1).length} / 50`],
    ['  wall time for the burst', `${fmt(burstMs)} ms`],
    [
      '  RSS before / peak (target ≤ 400 MB) / after (target < 200 MB)',
      `${fmt(before)} / ${fmt(peak)} / ${fmt(after)} MB`,
    ],
  ];
  for (const [label, value] of rows) console.log(`${label.padEnd(66)} ${value}`);
  console.log(JSON.stringify({ overheadP50Ms: overhead, peakRssMb: peak, afterRssMb: after, gc: Boolean(global.gc) }));

  await llm.close();
  await resources.agent.close();
  await fakes.call.stop();
  fakes.process.kill();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
