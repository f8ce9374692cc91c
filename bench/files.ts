/**
 * `npm run bench:files`: what attachments cost, through the whole bot (Socket Mode event → parse → admission →
 * download → model request → answer in Slack). (1) An event with a 1 MB PNG → model request, p50 overhead over a
 * file-less question, on loopback. (2) 50 questions each with a 5 MB image at once: all answered, peak RSS and RSS
 * after. The bot runs in this process, built by createBot as src/index.ts builds it; the fakes run in a child
 * process, so their memory is not counted and every time is taken on their clock.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBot } from '../src/app';
import { loadConfig } from '../src/config';
import type { FilesFakesHandlers } from './files-fakes';
import { start } from './ipc';
import { fmt, percentile } from './stats';

const MB = 1024 * 1024;
const rssMb = () => process.memoryUsage.rss() / MB;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function contextsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-files-'));
  writeFileSync(path.join(dir, 'default.md'), '---\nname: IT support\n---\nLaptops are MacBooks managed by Jamf.\n');
  return dir;
}

async function main(): Promise<void> {
  const fakes = start<FilesFakesHandlers>(path.join(__dirname, 'files-fakes.js'));
  await fakes.ready;
  const { apiUrl, baseURL } = await fakes.call.start();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-111-222-benchbottoken',
    SLACK_APP_TOKEN: 'xapp-1-A111-333-benchapptoken',
    OPENAI_API_KEY: 'sk-bench',
    SLACK_API_URL: apiUrl,
    OPENAI_BASE_URL: baseURL,
    OPENAI_MAX_RETRIES: '0',
    STORE_URL: 'memory://',
    CONTEXTS_DIR: contextsDir(),
    STREAM_APPEND_INTERVAL_MS: '200',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    LOG_FORMAT: 'json',
  });
  const bot = await createBot(config);
  await bot.start();
  await fakes.call.connected();

  // (1) Overhead of a 1 MB PNG, file-less and image questions interleaved, one at a time.
  await fakes.call.pace({ ttftMs: 0 });
  const png1 = await fakes.call.addPng({ name: 'screenshot.png', bytes: 1 * MB });
  const plain: number[] = [];
  const withImage: number[] = [];
  let imagesSent = 0;
  for (let i = 0; i < 60; i++) {
    for (const file of [undefined, png1]) {
      const [result] = await fakes.call.ask({ count: 1, ...(file ? { file } : {}) });
      if (i < 10 || result.requestMs === undefined) continue;
      (file ? withImage : plain).push(result.requestMs);
      if (file && result.images === 1) imagesSent++;
    }
  }
  const overhead = percentile(withImage, 0.5) - percentile(plain, 0.5);

  // (2) 50 questions with a 5 MB image each, at once; answers take 500 ms so they overlap.
  await fakes.call.pace({ ttftMs: 500 });
  const png5 = await fakes.call.addPng({ name: 'photo.png', bytes: 5 * MB });
  gc();
  await sleep(200);
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 5);
  const started = performance.now();
  const burst = await fakes.call.ask({ count: 50, file: png5 });
  const burstMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb());
  gc();
  await sleep(1000);
  gc();
  const after = rssMb();

  const rows = [
    ['event → model request, p50, file-less question', `${fmt(percentile(plain, 0.5))} ms`],
    ['event → model request, p50, with a 1 MB PNG', `${fmt(percentile(withImage, 0.5))} ms`],
    ['p50 overhead of the image (target ≤ 25 ms)', `${fmt(overhead)} ms`],
    ['  image questions whose request carried the image', `${imagesSent} / ${withImage.length}`],
    ['50 × 5 MB images at once: answered', `${burst.filter((r) => r.answered).length} / 50`],
    ['  model requests carrying the image', `${burst.filter((r) => r.images === 1).length} / 50`],
    ['  last model request arrived after', `${fmt(Math.max(...burst.map((r) => r.sinceBatchMs ?? 0)))} ms`],
    ['  last answer in Slack after (Slack write pacing included)', `${fmt(burstMs)} ms`],
    [
      '  bot RSS before / peak (target ≤ 400 MB) / after (target < 200 MB)',
      `${fmt(before)} / ${fmt(peak)} / ${fmt(after)} MB`,
    ],
  ];
  for (const [label, value] of rows) console.log(`${label.padEnd(70)} ${value}`);
  console.log(
    JSON.stringify({
      overheadP50Ms: overhead,
      peakRssMb: peak,
      afterRssMb: after,
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    }),
  );

  await bot.stop();
  await fakes.call.stop();
  fakes.process.kill();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
