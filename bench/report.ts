import os from 'node:os';
import { busySection, type Section } from './report-busy';
import { instancesSection } from './report-instances';
import { loggingSection, memorySection } from './report-memory';
import { targetsSection } from './report-targets';
import type { BenchResults } from './results';
import type { StoreResult } from './scenarios';
import { fmt, fmtSummary } from './stats';
import type { LongResult } from './streaming-runs';
import { CONCURRENCY } from './throughput';

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

const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

function stores(r: BenchResults): Section {
  const memory = r.perStore.find((s) => s.store === 'memory');
  return {
    title: 'Per store: Socket Mode ack, bot overhead (event delivered → model request received), throughput',
    headers: [
      'Store',
      'Ack p50 / p99',
      'Overhead ×1 p50 / p99',
      '×50 p50 / p99',
      '×200 p50 / p99',
      'Answers/s best (median)',
      'CPU ms / answer',
      'Overhead ×1 p50 vs memory',
      'Answers/s vs memory',
    ],
    rows: r.perStore.map((s) => [
      s.store,
      fmtSummary(s.ack),
      fmtSummary(s.overhead['1']),
      fmtSummary(s.overhead['50']),
      fmtSummary(s.overhead['200']),
      `${fmt(s.throughput.answersPerSecond)} (${fmt(s.throughput.medianAnswersPerSecond)})`,
      fmt(s.throughput.cpuMsPerAnswer),
      memory ? ratio(s.overhead['1'].p50, memory.overhead['1'].p50) : 'n/a',
      memory ? ratio(s.throughput.answersPerSecond, memory.throughput.answersPerSecond) : 'n/a',
    ]),
    notes: [
      'Ack: envelope sent → ack received, 300 questions one after another. ×1: the same 300 questions (each answered ' +
        'before the next). ×50 / ×200: that many questions sent at the same moment (4 and 3 bursts, after a warm-up burst of 200), the model ' +
        'answering each after its time to first token.',
      `Answers/s: ${CONCURRENCY} questions always in flight, an instant model (200 characters at once), each in its ` +
        'own workspace (so that Slack rate limits, which cap one workspace at ~20 streams a minute, do not apply); ' +
        'three 2.5 s windows after a 1.5 s warm-up, best and median window. CPU ms / answer: process.cpuUsage() of ' +
        'the bot process (main thread and V8 helper threads), median window.',
    ],
  };
}

function storeShare(r: BenchResults): Section {
  return {
    title: 'Awaited store calls before the model request (one conversation, p50 / p99 per call)',
    headers: ['Store', 'claim', 'lock', 'load', 'sum of p50s', 'overhead ×1 p50', 'share'],
    rows: r.perStore.map((s) => {
      const calls = ['claim', 'lock', 'load'].map((m) => s.storeCalls[m]);
      const sum = calls.reduce((total, c) => total + (c?.n ? c.p50 : 0), 0);
      return [
        s.store,
        ...calls.map((c) => (c?.n ? fmtSummary(c) : 'not called')),
        `${fmt(sum)} ms`,
        `${fmt(s.overhead['1'].p50)} ms`,
        `${fmt((100 * sum) / s.overhead['1'].p50)} %`,
      ];
    }),
    notes: [
      'assistant.threads.setStatus is not awaited before the model request; the calls above are. A question that',
      'starts a thread (these do) has no history to load, so the bot makes no load call for it.',
    ],
  };
}

function trims(r: BenchResults): Section {
  const cell = (s: StoreResult, n: string) =>
    `${fmtSummary(s.trim[n].total)} (load ${fmt(s.trim[n].load.p50)}, build ${fmt(s.trim[n].build.p50)})`;
  return {
    title: 'Load and trim a thread: store load + buildRequest, p50 / p99 (load / build p50)',
    headers: ['Store', '10 turns', '100 turns', '1,000 turns', 'turns kept of 1,000'],
    rows: r.perStore.map((s) => [s.store, cell(s, '10'), cell(s, '100'), cell(s, '1000'), String(s.trim['1000'].kept)]),
    notes: ['Turns of 150 / 600 characters (user / assistant), token counts stored with them as the bot saves them.'],
  };
}

function streaming(r: BenchResults): Section {
  const find = (kind: string, count: number) => r.long.find((l) => l.kind === kind && l.count === count);
  const [bot, say] = [r.firstText.bot, r.firstText.sayStream];
  const [apartBot, apartSay] = [find('bot', 3), find('sayStream', 3)];
  const [tiersBot, tiersSay] = [find('bot', 50), find('sayStream', 50)];
  const rows: string[][] = [
    [
      'First token → first visible text p50 / p99',
      fmtSummary(bot.firstVisible),
      fmtSummary(say.firstVisible),
      ratio(say.firstVisible.p50, bot.firstVisible.p50),
    ],
  ];
  if (apartBot && apartSay) {
    rows.push([
      'Slack writes per 2,000-char answer over 10 s (median / max)',
      `${fmt(apartBot.writesPerAnswer)} / ${fmt(apartBot.maxWrites)}`,
      `${fmt(apartSay.writesPerAnswer)} / ${fmt(apartSay.maxWrites)}`,
      ratio(apartSay.writesPerAnswer, apartBot.writesPerAnswer),
    ]);
  }
  if (tiersBot && tiersSay) {
    const by = (l: LongResult) =>
      Object.entries(l.http429ByMethod)
        .map(([method, n]) => `${method} ${n}`)
        .join(', ');
    rows.push(
      [
        '50 at once, Slack tiers: HTTP 429s',
        `${tiersBot.http429} ${by(tiersBot)}`,
        `${tiersSay.http429} ${by(tiersSay)}`,
        '',
      ],
      ['50 at once: answers delivered in full', `${tiersBot.complete}/50`, `${tiersSay.complete}/50`, ''],
      [
        '50 at once: until the last was complete',
        `${fmt(tiersBot.lastMs / 1000)} s`,
        tiersSay.complete === 50 ? `${fmt(tiersSay.lastMs / 1000)} s` : 'not within 30 s',
        '',
      ],
      [
        '50 at once: writes per answer (median / max)',
        `${fmt(tiersBot.writesPerAnswer)} / ${fmt(tiersBot.maxWrites)}`,
        `${fmt(tiersSay.writesPerAnswer)} / ${fmt(tiersSay.maxWrites)}`,
        '',
      ],
    );
  }
  return {
    title: "Streaming into Slack: this bot vs Bolt's sayStream() with its defaults (same fakes, same answers)",
    headers: ['Measure', 'This bot', 'sayStream()', 'sayStream / bot'],
    rows,
    notes: [
      `Model pacing: first token after ${r.pacing.ttftMs} ms, then ${r.pacing.tokensPerSecond} tokens/s of 4 characters. ` +
        'First visible text: 40 answers of 400 characters, one starting every 250 ms, each in its own workspace.',
      'Writes: chat.startStream / appendStream / stopStream / postMessage / update calls (429s included). The bot ' +
        'also sets the thread status once per answer (assistant.threads.setStatus), not counted here.',
    ],
  };
}

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
