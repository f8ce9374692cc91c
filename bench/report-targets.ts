import { ok, type Section } from './report-section';
import type { BenchResults } from './results';
import type { StoreResult } from './scenarios';
import { fmt } from './stats';

// The first table of BENCHMARKS.md: each target, what was measured on SQLite, and the other stores beside it.

export function targetsSection(r: BenchResults): Section {
  const sqlite = r.perStore.find((s) => s.store === 'sqlite') ?? r.perStore[0];
  const others = (pick: (s: StoreResult) => number) =>
    r.perStore
      .filter((s) => s !== sqlite)
      .map((s) => `${s.store} ${fmt(pick(s))}`)
      .join(', ');
  const bot = r.firstText.bot.firstVisible;
  const apart = r.long.find((l) => l.kind === 'bot' && l.count === 3);
  const tiers = r.long.find((l) => l.kind === 'bot' && l.count === 50);
  const rows: string[][] = [];
  const add = (measure: string, target: string, value: number, met: boolean, unit: string, extra = '') =>
    rows.push([measure, target, `${fmt(value)}${unit}`, ok(met), extra]);
  if (sqlite) {
    add(
      'Socket Mode ack p99 (sequential)',
      '≤ 5 ms',
      sqlite.ack.p99,
      sqlite.ack.p99 <= 5,
      ' ms',
      others((s) => s.ack.p99),
    );
    const one = sqlite.overhead['1'];
    add(
      'Overhead p50, one conversation',
      '≤ 2 ms',
      one.p50,
      one.p50 <= 2,
      ' ms',
      others((s) => s.overhead['1'].p50),
    );
    add(
      'Overhead p99, one conversation',
      '≤ 5 ms',
      one.p99,
      one.p99 <= 5,
      ' ms',
      others((s) => s.overhead['1'].p99),
    );
    const burst = sqlite.overhead['200'];
    add(
      'Overhead p99, 200 at once',
      '≤ 100 ms',
      burst.p99,
      burst.p99 <= 100,
      ' ms',
      others((s) => s.overhead['200'].p99),
    );
  }
  add('First token → first visible text p50', '≤ 100 ms', bot.p50, bot.p50 <= 100, ' ms');
  add('First token → first visible text p99', '≤ 250 ms', bot.p99, bot.p99 <= 250, ' ms');
  if (apart) add('Slack writes, 2,000-char answer over 10 s', '≤ 12', apart.maxWrites, apart.maxWrites <= 12, '');
  if (tiers) {
    add('HTTP 429s, 50 answers at once, Slack tiers', '0', tiers.http429, tiers.http429 === 0, '');
    rows.push([
      'Answers delivered in full (of 50)',
      'all',
      `${tiers.complete}/50, last after ${fmt(tiers.lastMs / 1000)} s`,
      ok(tiers.complete === 50),
      '',
    ]);
  }
  if (sqlite) {
    const rate = sqlite.throughput.answersPerSecond;
    add(
      'Answers/s, instant model, SQLite',
      '≥ 500',
      rate,
      rate >= 500,
      '',
      others((s) => s.throughput.answersPerSecond),
    );
  }
  const plain = r.memory.filter((m) => m.nodeFlags.length === 0);
  const footprint = plain.find((m) => m.store === 'sqlite');
  if (footprint) {
    // The memory store keeps every thread on the heap by design; it is shown alongside, not held to the target.
    const alongside = plain.filter((m) => m !== footprint).map((m) => `${m.store} ${fmt(m.rssMb)} MB; `);
    add(
      'RSS with 10,000 threads, between questions',
      '≤ 120 MB',
      footprint.storedSettledRssMb,
      footprint.storedSettledRssMb <= 120,
      ' MB',
      `right after writing them ${fmt(footprint.rssMb)} MB; ${alongside.join('')}after 500 follow-ups ` +
        `${fmt(footprint.busyRssMb)} MB, idle 15 s later ${fmt(footprint.settledRssMb)} MB`,
    );
  }
  if (sqlite) {
    const trim = sqlite.trim['1000'].total;
    add(
      'Load + trim a 1,000-turn thread, p99',
      '≤ 10 ms',
      trim.p99,
      trim.p99 <= 10,
      ' ms',
      others((s) => s.trim['1000'].total.p99),
    );
  }
  return {
    title: 'Targets (measured on SQLite, the default store; other stores alongside)',
    headers: ['Measure', 'Target', 'Measured', 'Met', 'Other stores'],
    rows,
  };
}
