// BENCHMARKS.md and the terminal's tables: every section in order, rendered as markdown or plain text.
import { busySection } from './report-busy';
import { instancesSection } from './report-instances';
import { loggingSection, memorySection } from './report-memory';
import type { Section } from './report-section';
import { storeShare, stores, trims } from './report-stores';
import { streaming } from './report-streaming';
import { targetsSection } from './report-targets';
import type { BenchResults } from './results';
import { fmt } from './stats';

function sections(r: BenchResults): Section[] {
  const busy = busySection(
    r.busy,
    r.perStore.find((s) => s.store === 'sqlite'),
  );
  const instances = instancesSection(r.twoInstances);
  return [
    targetsSection(r),
    ...(busy ? [busy] : []),
    ...(instances ? [instances] : []),
    stores(r),
    storeShare(r),
    trims(r),
    streaming(r),
    memorySection(r),
    loggingSection(r),
  ];
}

function footer(r: BenchResults): string[] {
  const unanswered = r.perStore.reduce((sum, s) => sum + s.unanswered + s.throughput.unfinished, 0);
  const lines = [
    `Run took ${fmt(r.seconds)} s. Questions left unanswered: ${unanswered}. Bot log lines at warn: ` +
      `${r.botLog.warn}, at error: ${r.botLog.error}.`,
    ...r.botLog.samples.map((line) => `  ${line}`),
  ];
  if (r.skipped.length > 0) lines.push(`Skipped: ${r.skipped.join(', ')}.`);
  return lines;
}

/** One section as a plain-text table, with a blank line before it. */
export function plainSection(section: Section): string[] {
  const widths = section.headers.map((h, i) => Math.max(h.length, ...section.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ');
  const out = ['', section.title, line(section.headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of section.rows) out.push(line(row.map((c) => c.replaceAll('**', ''))));
  return out;
}

/** Plain-text tables for the terminal. */
export function table(r: BenchResults): string {
  const out = sections(r).flatMap(plainSection);
  out.push('', ...footer(r));
  return out.join('\n');
}

/** BENCHMARKS.md: the machine, how it was measured, and every table. */
export function markdown(r: BenchResults): string {
  const out = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts). The real bot (`createBot`, Bolt in Socket Mode, the `openai` SDK) runs ' +
      'in its own process against loopback fakes of Slack and OpenAI in another process; every latency is taken ' +
      'inside the fakes process with `performance.now()` (e.g. envelope sent → model request received).',
    '',
    '| Machine | |',
    '| --- | --- |',
    ...Object.entries(r.machine).map(([key, value]) => `| ${key} | ${value} |`),
    '',
  ];
  for (const section of sections(r)) {
    out.push(`## ${section.title}`, '', `| ${section.headers.join(' | ')} |`);
    out.push(`| ${section.headers.map(() => '---').join(' | ')} |`);
    for (const row of section.rows) out.push(`| ${row.join(' | ')} |`);
    out.push('');
    for (const note of section.notes ?? []) out.push(`${note}`, '');
  }
  out.push('## Run', '', ...footer(r).map((line) => line.trimStart()), '');
  return out.join('\n');
}
