import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

// CPU profiles of one phase of a bench run (a burst, a throughput run), taken inside the bot process on request.

let session: Session | undefined;

/**
 * Starts a CPU profile of this process (sampling every 200 µs), and a sampled allocation profile beside it: bytes
 * allocated per answer do not depend on how busy the machine is, so two bots compare by them on any machine.
 */
export async function profileStart(): Promise<boolean> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return true;
}

/**
 * Stops the profiles started last and writes them to `file` (.cpuprofile, for DevTools or a summary script) and
 * beside it (.heapprofile).
 */
export async function profileStop(file: string): Promise<boolean> {
  if (!session) return false;
  const { profile: allocations } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(allocations));
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  writeFileSync(file, JSON.stringify(profile));
  return true;
}
