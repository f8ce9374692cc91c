import { readFileSync, realpathSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** Where a process's resident memory is, in bytes (Linux: read from /proc/self/smaps). */
export interface ResidentParts {
  /** Pages of the node executable itself: its code, and V8's built-ins and ICU data embedded in it. */
  executable: number;
  /** The V8 heap's physical pages (every space). */
  v8Heap: number;
  /** Of those, the young generation's: it grows with bursts of allocation and V8 shrinks it after ~8 s idle. */
  young: number;
  /** The rest: native allocations (SQLite, sockets, buffers), thread stacks, shared libraries. */
  other: number;
}

/** This process's resident memory by part, or undefined where /proc/self/smaps does not exist. */
export function residentParts(): ResidentParts | undefined {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const executablePath = realpathSync(process.execPath);
  let inExecutable = false;
  let executable = 0;
  for (const line of smaps.split('\n')) {
    // A mapping's header: "start-end perms offset dev inode [path]"; its fields follow, "Rss: N kB" among them.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) inExecutable = header[1] === executablePath;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && inExecutable) executable += Number(rss[1]) * 1024;
  }
  const v8Heap = getHeapStatistics().total_physical_size;
  const young = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('new_'))
    .reduce((sum, space) => sum + space.physical_space_size, 0);
  return { executable, v8Heap, young, other: process.memoryUsage.rss() - executable - v8Heap };
}
