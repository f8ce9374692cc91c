import { rmSync } from 'node:fs';
import { type BusyResult, busyWorkspaces } from './busy';
import { writeBenchContexts } from './context';
import { loadAverage } from './machine-info';
import { referenceWorkMs } from './machine-speed';
import { botLog, type RunOptions } from './processes';
import { plainSection } from './report';
import { busySection } from './report-busy';
import { fmt, fmtSummary } from './stats';
import { sqliteStore } from './stores';
import type { ModelPacing } from './throughput';

// `--only busy`: the one-workspace section alone, on SQLite, printed (BENCHMARKS.md untouched), to iterate on it.

/** Which bots, whether to skip the slow parts, and how many times in a row. */
export interface BusyRunOptions {
  kinds: ('bot' | 'sayStream')[];
  quick: boolean;
  repeats: number;
  profileDir?: string;
}

function details(r: BusyResult): string {
  const t = r.throughput;
  return (
    `${r.kind}: overhead p50/p99 50 at once ${fmtSummary(r.b50.overhead)}, 200 at once ${fmtSummary(r.b200.overhead)}; ` +
    `${fmt(t.answersPerSecond)} answers/s (median ${fmt(t.medianAnswersPerSecond)}), ` +
    `${fmt(t.wholeCpuMsPerAnswer)} ms CPU/answer over the whole run, ${fmt(t.cpuMsPerAnswer)} in a window ` +
    `(fakes ${fmt(t.fakesCpuMsPerAnswer)}), unfinished ${t.unfinished}; windows ` +
    t.windows.map((w) => `${w.answered} at ${fmt(w.rate)}/s, ${fmt(w.cpuMs)} ms`).join(' | ')
  );
}

/** Runs the chosen bots (their bursts taking turns, as `npm run bench` does), `repeats` times, printing each run's table. */
export async function runBusy(pacing: ModelPacing, settings: BusyRunOptions): Promise<void> {
  const contextsDir = writeBenchContexts();
  const sqlite = sqliteStore();
  try {
    for (let n = 1; n <= settings.repeats; n++) {
      const loadAtStart = loadAverage();
      const speedAtStart = referenceWorkMs();
      const options: RunOptions = {
        contextsDir,
        ...(settings.profileDir ? { profileDir: `${settings.profileDir}/run${n}`, phasesOnly: true } : {}),
      };
      const results = await busyWorkspaces(settings.kinds, sqlite, options, pacing, { quick: settings.quick });
      const section = busySection(results, undefined);
      console.log(
        `\nrun ${n} of ${settings.repeats}, load average ${loadAtStart} at start, ${loadAverage()} at end; ` +
          `reference work ${speedAtStart} ms CPU at start, ${referenceWorkMs()} at end`,
      );
      if (section) console.log(plainSection(section).join('\n'));
      for (const r of results) console.log(details(r));
    }
    console.log(`bot warnings ${botLog.warn}, errors ${botLog.error}`, ...botLog.samples.map((s) => `\n  ${s}`));
  } finally {
    await sqlite.cleanup().catch(() => undefined);
    rmSync(contextsDir, { recursive: true, force: true });
  }
}
