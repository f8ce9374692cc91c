import { execFileSync } from 'node:child_process';

// The same machine model can run this bench at very different speeds: on one machine here the same code's CPU per
// answer doubled within ten minutes while the load average stayed under 1. A fixed piece of work, timed in a fresh
// process at the start and the end of a run, tells the reader how fast the machine was while it ran.

/** JSON round trips, small objects and a Map: the kind of work an answer is made of, without any I/O. */
const REFERENCE_WORK = `
const start = process.cpuUsage();
const seen = new Map();
let size = 0;
for (let i = 0; i < 150000; i++) {
  const event = { type: 'message', channel: 'C' + (i % 500), user: 'U' + (i % 3000), ts: String(1.7e9 + i),
    text: 'How do I reset my VPN password? '.repeat(4), blocks: [{ type: 'rich_text', elements: [i, i + 1] }] };
  const copy = JSON.parse(JSON.stringify(event));
  seen.set(copy.channel + ':' + copy.ts, copy);
  if (seen.size > 5000) seen.clear();
  size += copy.text.length;
}
const used = process.cpuUsage(start);
console.log(((used.user + used.system) / 1000).toFixed(0), size);
`;

/** CPU milliseconds the reference work took in a fresh node process (the same binary as this one). */
export function referenceWorkMs(): number {
  const out = execFileSync(process.execPath, ['-e', REFERENCE_WORK], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}
