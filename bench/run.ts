import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { busyWorkspaces } from './busy';
import { writeBenchContexts } from './context';
import { referenceWorkMs } from './machine-speed';
import { type MemoryResult, memoryFootprint } from './memory-footprint';
import { opsCost } from './ops-cost';
import { botLog, type RunOptions } from './processes';
import { loadAverage, machine, markdown, table } from './report';
import { footprintParts } from './report-memory';
import type { BenchResults } from './results';
import { runBusy } from './run-busy';
import { runStores } from './run-stores';
import { loggingCost, type StoreResult, storeScenarios } from './scenarios';
import { type BenchStore, memoryStore, postgresStore, redisStore, sqliteStore } from './stores';
import { firstText, type LongResult, longAnswers } from './streaming-runs';
import type { ModelPacing, Throughput } from './throughput';
import { twoInstances } from './two-instances';

/** V8's young generation grows to 128 MB under load by default; capped, the bot's RSS stays far lower. */
const SMALL_YOUNG_GENERATION = ['--max-semi-space-size=16'];

const USAGE = `npm run bench -- [--ttft ms] [--tps tokens/s] [--stores memory,sqlite,redis,postgres] [--profile dir] [--out file]
  npm run bench -- --only opsCost   (the ops server's cost alone, printed, BENCHMARKS.md untouched)
  npm run bench -- --only memory    (the SQLite RSS rows alone, printed, BENCHMARKS.md untouched)
  npm run bench -- --only busy [--quick] [--kinds bot,sayStream] [--repeats n] [--profile dir]
    (the one-busy-workspace section alone on SQLite, printed; --quick skips 50-after-50 and 300-over-a-minute)
  npm run bench -- --only stores [--stores memory,sqlite] [--repeats n]   (the per-store rows alone, printed)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ttft: { type: 'string', default: '300' },
      tps: { type: 'string', default: '50' },
      stores: { type: 'string', default: 'memory,sqlite,redis,postgres' },
      profile: { type: 'string' },
      out: { type: 'string', default: 'BENCHMARKS.md' },
      help: { type: 'boolean', default: false },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      kinds: { type: 'string', default: 'bot,sayStream' },
      repeats: { type: 'string', default: '1' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const pacing: ModelPacing = { ttftMs: Number(values.ttft), tokensPerSecond: Number(values.tps) };
  if (values.only === 'opsCost') return runOpsCost();
  if (values.only === 'memory') return runMemory();
  if (values.only === 'busy') {
    const kinds = values.kinds.split(',').filter((k): k is 'bot' | 'sayStream' => k === 'bot' || k === 'sayStream');
    const profileDir = values.profile && path.resolve(values.profile);
    return runBusy(pacing, { kinds, quick: values.quick, repeats: Number(values.repeats), profileDir });
  }
  if (values.only === 'stores') return runStores(pacing, values.stores.split(','), Number(values.repeats));
  if (values.only !== undefined)
    throw new Error(`--only knows opsCost, memory, busy and stores, not ${values.only}\n${USAGE}`);
  const started = performance.now();
  const loadAtStart = loadAverage();
  const speedAtStart = referenceWorkMs();
  const contextsDir = writeBenchContexts();
  const options: RunOptions = { contextsDir, profileDir: values.profile && path.resolve(values.profile) };
  const wanted = new Set(values.stores.split(','));
  const sqlite = sqliteStore();
  const stores: BenchStore[] = [];
  const skipped: string[] = [];
  if (wanted.has('memory')) stores.push(memoryStore());
  if (wanted.has('sqlite')) stores.push(sqlite);
  for (const [name, open] of [
    ['redis', redisStore],
    ['postgres', postgresStore],
  ] as const) {
    if (!wanted.has(name)) continue;
    const store = await open();
    if (store) stores.push(store);
    else skipped.push(`${name} (no server on 127.0.0.1)`);
  }
  const step = (what: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);

  try {
    const perStore: StoreResult[] = [];
    for (const store of stores) {
      step(`${store.name}: ack, overhead at 1/50/200, throughput, trim`);
      perStore.push(await storeScenarios(store, options, pacing));
    }
    step('sqlite: throughput at LOG_LEVEL=warn and info, by turns');
    const logging = await loggingCost(sqlite, options);
    const memory: MemoryResult[] = [];
    for (const store of stores.filter((s) => s.name === 'memory' || s.name === 'sqlite')) {
      step(`${store.name}: RSS with 10,000 threads`);
      memory.push(await memoryFootprint(store, options));
    }
    step(`sqlite: RSS with 10,000 threads, node ${SMALL_YOUNG_GENERATION.join(' ')}`);
    memory.push(await memoryFootprint(sqlite, options, SMALL_YOUNG_GENERATION));
    step('first token → first visible text: bot, then sayStream()');
    const firstBot = await firstText('bot', sqlite, options, pacing);
    const firstSay = await firstText('sayStream', sqlite, options, pacing);
    step('2,000-character answers: 3 apart, and 50 at once under Slack tiers (bot and sayStream side by side)');
    const apart = { count: 3, oneWorkspace: false, tiers: false, timeoutMs: 30_000, ttftMs: pacing.ttftMs };
    const together = { count: 50, oneWorkspace: true, tiers: true, ttftMs: pacing.ttftMs };
    const long: LongResult[] = await Promise.all([
      longAnswers('bot', sqlite, options, apart),
      longAnswers('sayStream', sqlite, options, apart),
      longAnswers('bot', sqlite, options, { ...together, timeoutMs: 120_000 }),
      longAnswers('sayStream', sqlite, options, { ...together, timeoutMs: 30_000 }),
    ]);
    // One bot working at a time, each with the machine to itself as a deployed bot has it: run side by side, the two
    // bots and their fakes (four processes on two cores) slowed each other's bursts by tens of milliseconds at random.
    step('one busy workspace, Slack tiers on: bot and the sayStream baseline (tiers off), bursts taking turns');
    const busy = await busyWorkspaces(['bot', 'sayStream'], sqlite, options, pacing);
    const shared = stores.filter((store) => store.name === 'redis' || store.name === 'postgres');
    const instances = [];
    for (const store of shared) {
      step(`${store.name}: two instances on one store, one workspace, Slack tiers on`);
      instances.push(await twoInstances(store, options, pacing));
    }
    const results: BenchResults = {
      machine: machine(loadAtStart, [speedAtStart, referenceWorkMs()]),
      pacing,
      perStore,
      skipped,
      logging,
      memory,
      firstText: { bot: firstBot, sayStream: firstSay },
      long,
      busy,
      twoInstances: instances,
      botLog,
      seconds: (performance.now() - started) / 1000,
    };
    console.log(table(results));
    writeFileSync(values.out, markdown(results));
    step(`written to ${values.out}`);
  } finally {
    for (const store of stores) await store.cleanup().catch(() => undefined);
    rmSync(contextsDir, { recursive: true, force: true });
  }
}

/** The opsCost scenario alone, on the memory store (the cheapest answers: the server's share is largest there). */
async function runOpsCost(): Promise<void> {
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

/** The SQLite RSS rows alone (defaults, then a capped young generation), as the full run measures them. */
async function runMemory(): Promise<void> {
  const contextsDir = writeBenchContexts();
  const sqlite = sqliteStore();
  try {
    const memory: MemoryResult[] = [];
    for (const flags of [[], SMALL_YOUNG_GENERATION]) {
      const m = await memoryFootprint(sqlite, { contextsDir }, flags);
      memory.push(m);
      console.log(
        `sqlite ${flags.join(' ') || '(defaults)'}: after start ${m.idleRssMb.toFixed(1)} MB, ` +
          `with 10,000 threads ${m.rssMb.toFixed(1)} MB (heap used ${m.heapMb.toFixed(1)} MB), ` +
          `15 s later ${m.storedSettledRssMb.toFixed(1)} MB, ` +
          `after 500 follow-ups ${m.busyRssMb.toFixed(1)} MB (V8 heap ${m.busyHeapTotalMb.toFixed(1)} MB), ` +
          `idle 15 s later ${m.settledRssMb.toFixed(1)} MB`,
      );
    }
    const parts = footprintParts(memory);
    for (const line of parts) console.log(line);
    console.log(`bot warnings ${botLog.warn}, errors ${botLog.error}`);
  } finally {
    await sqlite.cleanup();
    rmSync(contextsDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
