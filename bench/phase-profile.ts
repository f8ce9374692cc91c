import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

// CPU profiles of one phase of a bench run (a burst, a throughput run), taken inside the bot process on request.

let session: Session | undefined;

/** Starts a CPU profile of this process (sampling every 200 µs). */
export async function profileStart(): Promise<boolean> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return true;
}

/** Stops the profile started last and writes it to `file` (.cpuprofile, for DevTools or a summary script). */
export async function profileStop(file: string): Promise<boolean> {
  if (!session) return false;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  writeFileSync(file, JSON.stringify(profile));
  return true;
}
