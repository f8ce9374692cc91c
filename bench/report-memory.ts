import type { MemoryResult } from './memory-footprint';
import type { Section } from './report-section';
import type { BenchResults } from './results';
import { fmt } from './stats';

// The memory and logging sections of BENCHMARKS.md.

export function memorySection(r: BenchResults): Section {
  return {
    title: 'Memory: RSS of the bot process after a full GC',
    headers: [
      'Store',
      'node flags',
      'after start',
      'with 10,000 threads',
      'with them, 15 s later (no GC forced)',
      'idle 15 s after the follow-ups',
      'heap used',
      'after 500 follow-ups',
    ],
    rows: r.memory.map((m) => [
      m.store,
      m.nodeFlags.join(' ') || '(defaults)',
      `${fmt(m.idleRssMb)} MB`,
      `${fmt(m.rssMb)} MB`,
      `${fmt(m.storedSettledRssMb)} MB`,
      `${fmt(m.settledRssMb)} MB`,
      `${fmt(m.heapMb)} MB`,
      `${fmt(m.busyRssMb)} MB (V8 heap ${fmt(m.busyHeapTotalMb)} MB)`,
    ]),
    notes: [
      'Each thread: 2 exchanges (questions of ~150 and answers of 1,000 characters), written straight into the ' +
        "bot's store; then 500 follow-up questions answered through Slack in 500 of those threads, 20 at a time.",
      "After a burst of work V8's young generation has grown (by default up to 128 MB on this machine) and stays " +
        'so; `--max-semi-space-size=16` caps it at 32 MB. "15 s later": RSS read with no GC forced, once the memory ' +
        'reducer of V8 (~8 s after allocation stops) has shrunk the young generation again: what a bot holding that ' +
        'many threads costs between questions (the target is read there; a real bot gathers its threads over weeks, ' +
        'not in the seconds the bench writes them in).',
      ...footprintParts(r.memory),
    ],
  };
}

/** Where the SQLite bot's megabytes with 10,000 threads are, as the bot process measured them. */
export function footprintParts(memory: MemoryResult[]): string[] {
  const footprint = memory.find((m) => m.store === 'sqlite' && m.nodeFlags.length === 0);
  const parts = footprint?.parts;
  if (!parts) return [];
  const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
  return [
    `SQLite with 10,000 threads, ${fmt(footprint.rssMb)} MB: the node executable's pages ${mb(parts.executable)} ` +
      `(its code, V8's built-ins, ICU data; ~33 MB in a bare \`node\`), the V8 heap ${mb(parts.v8Heap)} (young ` +
      `generation ${mb(parts.young)}; the rest mostly the code of @slack/bolt, socket-mode with undici, openai, ` +
      `winston, zod and yaml, ~1–7 MB each, and the bot's own), other native memory ${mb(parts.other)} (SQLite, ` +
      'sockets, thread stacks, libraries). The threads themselves live in the SQLite file, not in memory.',
  ];
}

export function loggingSection(r: BenchResults): Section {
  const { warn, info, lineMicros } = r.logging;
  return {
    title: 'Logging cost (SQLite, instant model, two bots measured by turns)',
    headers: ['LOG_LEVEL', 'Answers/s best (median)', 'CPU ms / answer'],
    rows: [
      ['warn', `${fmt(warn.answersPerSecond)} (${fmt(warn.medianAnswersPerSecond)})`, fmt(warn.cpuMsPerAnswer)],
      [
        'info: one "answered" line per answer, to a pipe',
        `${fmt(info.answersPerSecond)} (${fmt(info.medianAnswersPerSecond)})`,
        fmt(info.cpuMsPerAnswer),
      ],
    ],
    notes: [
      `One such line, written through the bot's logger to its stdout (a pipe): ${fmt(lineMicros)} µs of CPU, ` +
        `${fmt((100 * lineMicros) / 1000 / warn.cpuMsPerAnswer)} % of an answer's CPU; the difference between ` +
        'the two rows above is mostly the noise of a shared machine.',
    ],
  };
}
