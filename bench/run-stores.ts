import { rmSync } from 'node:fs';
import { writeBenchContexts } from './context';
import { loadAverage } from './machine-info';
import { referenceWorkMs } from './machine-speed';
import { botLog } from './processes';
import { storeScenarios } from './scenarios';
import { fmt, fmtSummary } from './stats';
import { type BenchStore, memoryStore, sqliteStore } from './stores';
import type { ModelPacing } from './throughput';

// `--only stores`: the per-store section (ack, overhead at 1/50/200, throughput, trim) for memory and SQLite alone,
// printed (BENCHMARKS.md untouched), `repeats` times, to see how much its p99s move from one run to the next.

export async function runStores(pacing: ModelPacing, names: string[], repeats: number): Promise<void> {
  const contextsDir = writeBenchContexts();
  const stores: BenchStore[] = [];
  if (names.includes('memory')) stores.push(memoryStore());
  if (names.includes('sqlite')) stores.push(sqliteStore());
  try {
    for (let n = 1; n <= repeats; n++) {
      const loadAtStart = loadAverage();
      const speedAtStart = referenceWorkMs();
      for (const store of stores) {
        const r = await storeScenarios(store, { contextsDir }, pacing);
        const trim = r.trim['1000'];
        console.log(
          `${r.store}: overhead ×1 ${fmtSummary(r.overhead['1'])} (max ${fmt(r.overhead['1'].max)}), ` +
            `×200 ${fmtSummary(r.overhead['200'])}; ${fmt(r.throughput.answersPerSecond)} answers/s, ` +
            `${fmt(r.throughput.cpuMsPerAnswer)} ms CPU/answer; trim 1,000 turns ${fmtSummary(trim.total)}`,
        );
      }
      console.log(
        `run ${n} of ${repeats}: load average ${loadAtStart} at start, ${loadAverage()} at end; ` +
          `reference work ${speedAtStart} ms CPU at start, ${referenceWorkMs()} at end`,
      );
    }
    console.log(`bot warnings ${botLog.warn}, errors ${botLog.error}`);
  } finally {
    for (const store of stores) await store.cleanup().catch(() => undefined);
    rmSync(contextsDir, { recursive: true, force: true });
  }
}
