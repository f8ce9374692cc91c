// `--only opsCost`: the ops server's cost alone, on the memory store, printed (BENCHMARKS.md untouched).
import { rmSync } from 'node:fs';
import { writeBenchContexts } from './context';
import { loadAverage } from './machine-info';
import { opsCost } from './ops-cost';
import { botLog } from './processes';
import { memoryStore } from './stores';
import type { Throughput } from './throughput';

/** The opsCost scenario alone, on the memory store (the cheapest answers: the server's share is largest there). */
export async function runOpsCost(): Promise<void> {
  const contextsDir = writeBenchContexts();
  const loadAtStart = loadAverage();
  try {
    const result = await opsCost(memoryStore(), { contextsDir });
    const row = (name: string, t: Throughput) =>
      `${name}: ${t.answersPerSecond.toFixed(1)} answers/s (median ${t.medianAnswersPerSecond.toFixed(1)}), ` +
      `${t.cpuMsPerAnswer.toFixed(2)} ms CPU per answer`;
    console.log(row('HTTP_PORT unset', result.off));
    console.log(row('HTTP_PORT set, scraped every second', result.on));
    console.log(
      `change: ${result.rateChangePercent.toFixed(1)} % answers/s, ${result.cpuChangePercent.toFixed(1)} % CPU per answer; ` +
        `${result.scrapes} scrapes of /metrics + /readyz, median ${result.scrapeMs.toFixed(1)} ms, ` +
        `/metrics ${result.metricsBytes} bytes, ${result.scrapeCpuMs.toFixed(2)} ms bot CPU per scrape`,
    );
    // Scraped once a second, the server takes scrapeCpuMs of CPU a second; answering takes cpu/answer × answers/s.
    const share = (result.scrapeCpuMs / (result.on.cpuMsPerAnswer * result.on.answersPerSecond)) * 100;
    console.log(`one scrape a second is ${share.toFixed(2)} % of the CPU the bot spends answering at full rate`);
    console.log(
      `load average at start ${loadAtStart}, at end ${loadAverage()}; bot warnings ${botLog.warn}, errors ${botLog.error}`,
    );
  } finally {
    rmSync(contextsDir, { recursive: true, force: true });
  }
}
