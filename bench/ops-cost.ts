/** What the ops server costs: answers per second and CPU per answer with HTTP_PORT unset, and set while scraped. */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Bot, type Fakes, type RunOptions, startBot, startFakes, stopAll } from './processes';
import { median } from './stats';
import type { BenchStore } from './stores';
import { CONCURRENCY, type Throughput, throughput } from './throughput';

/** The two runs side by side, and what one scrape costs. */
export interface OpsCostResult {
  off: Throughput;
  on: Throughput;
  /** (on − off) / off answers per second, in percent: negative is slower with the server on. */
  rateChangePercent: number;
  cpuChangePercent: number;
  /** Scrapes of /metrics and /readyz made while the bot with the server answered. */
  scrapes: number;
  scrapeMs: number;
  metricsBytes: number;
  /** The bot's CPU per /metrics scrape, measured idle over 200 scrapes. */
  scrapeCpuMs: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GETs /metrics and /readyz every second, as a Prometheus server and a kubelet would, until stopped. */
function scrapeEverySecond(port: number) {
  const times: number[] = [];
  let bytes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text());
      await fetch(`http://127.0.0.1:${port}/readyz`).then((res) => res.text());
      times.push(performance.now() - started);
      bytes = metrics.length;
      await sleep(1_000);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { scrapes: times.length, scrapeMs: median(times), bytes };
    },
  };
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/**
 * Two bots on their own fakes, measured by turns (so both see the same machine load), the better of three turns
 * each: one without the ops server, one with it while /metrics and /readyz are fetched every second.
 */
export async function opsCost(store: BenchStore, options: RunOptions): Promise<OpsCostResult> {
  const port = await freePort();
  const bots: { fakes: Fakes; bot: Bot }[] = [];
  try {
    const settings: Record<string, string>[] = [{}, { HTTP_PORT: String(port) }];
    for (const env of settings) {
      const fakes = await startFakes();
      const label = `bot-ops-${'HTTP_PORT' in env ? 'on' : 'off'}`;
      const bot = await startBot(fakes, options, { storeUrl: store.url(), label, env });
      bots.push({ fakes, bot });
      await fakes.call.sequential({ count: 40, pacing: { chars: 200, ttftMs: 0, tokensPerSecond: 0 }, gapMs: 5 });
    }
    const scraper = scrapeEverySecond(port);
    const runs: Throughput[][] = [[], []];
    for (let turn = 0; turn < 3; turn++) {
      for (const [n, { fakes, bot }] of bots.entries()) runs[n].push(await throughput(fakes, bot, CONCURRENCY, 2));
    }
    const scraped = await scraper.stop();
    const withServer = bots[1].bot;
    const before = await withServer.call.usage();
    for (let n = 0; n < 200; n++) await fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text());
    const after = await withServer.call.usage();
    const best = (list: Throughput[]) => list.reduce((a, b) => (b.answersPerSecond > a.answersPerSecond ? b : a));
    const [off, on] = [best(runs[0]), best(runs[1])];
    const change = (a: number, b: number) => ((b - a) / a) * 100;
    return {
      off,
      on,
      rateChangePercent: change(off.answersPerSecond, on.answersPerSecond),
      cpuChangePercent: change(off.cpuMsPerAnswer, on.cpuMsPerAnswer),
      scrapes: scraped.scrapes,
      scrapeMs: scraped.scrapeMs,
      metricsBytes: scraped.bytes,
      scrapeCpuMs: (cpuMs(after.cpu) - cpuMs(before.cpu)) / 200,
    };
  } finally {
    for (const { fakes, bot } of bots) await stopAll(bot, fakes);
  }
}
