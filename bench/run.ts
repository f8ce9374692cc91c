// `npm run bench`: every scenario in turn, printed and written to BENCHMARKS.md; `--only` runs one part alone.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { busyWorkspaces } from './busy';
import { writeBenchContexts } from './context';
import { loadAverage, machine } from './machine-info';
import { referenceWorkMs } from './machine-speed';
import { type MemoryResult, memoryFootprint, SMALL_YOUNG_GENERATION } from './memory-footprint';
import { botLog, type RunOptions } from './processes';
import { markdown, table } from './report';
import type { BenchResults } from './results';
import { runBusy } from './run-busy';
import { runMemory } from './run-memory';
import { runOpsCost } from './run-ops-cost';
import { runStores } from './run-stores';
import { loggingCost, type StoreResult, storeScenarios } from './scenarios';
import { type BenchStore, memoryStore, postgresStore, redisStore, sqliteStore } from './stores';
import { firstText, type LongResult, longAnswers } from './streaming-runs';
import type { ModelPacing } from './throughput';
import { twoInstances } from './two-instances';

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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
