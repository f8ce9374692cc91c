// `--only memory`: the SQLite RSS rows alone, printed (BENCHMARKS.md untouched).
import { rmSync } from 'node:fs';
import { writeBenchContexts } from './context';
import { type MemoryResult, memoryFootprint, SMALL_YOUNG_GENERATION } from './memory-footprint';
import { botLog } from './processes';
import { footprintParts } from './report-memory';
import { sqliteStore } from './stores';

/** The SQLite RSS rows alone (defaults, then a capped young generation), as the full run measures them. */
export async function runMemory(): Promise<void> {
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
