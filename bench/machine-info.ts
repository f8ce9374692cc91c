// The machine a run measured on (CPU, RAM, Node, OS, load average, reference-work speed), atop BENCHMARKS.md.
import os from 'node:os';

/** Load average now: other processes on the machine slow the bot down and widen its tail latencies. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

/** `speedMs`: the reference work's CPU ms (bench/machine-speed.ts) at the start and the end of the run. */
export function machine(loadAtStart: string, speedMs: [number, number]): Record<string, string> {
  const cpus = os.cpus();
  return {
    CPU: `${cpus[0]?.model ?? 'unknown'}`,
    Cores: String(cpus.length),
    RAM: `${(os.totalmem() / 2 ** 30).toFixed(1)} GB`,
    Node: process.version,
    OS: `${os.type()} ${os.release()} ${os.arch()}`,
    Date: new Date().toISOString(),
    'Load average (1 / 5 / 15 min)': `${loadAtStart} at start, ${loadAverage()} at the end`,
    'Reference work (fixed JSON and object work, fresh process; less is faster)': `${speedMs[0]} ms CPU at start, ${speedMs[1]} ms at the end`,
  };
}
