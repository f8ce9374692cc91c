// The per-store sections of BENCHMARKS.md: ack, overhead and throughput; the awaited store calls; load and trim.
import type { Section } from './report-section';
import type { BenchResults } from './results';
import type { StoreResult } from './scenarios';
import { fmt, fmtSummary, ratio } from './stats';
import { CONCURRENCY } from './throughput';

/** Ack, overhead at 1/50/200 and throughput for each store, beside the memory store's. */
export function stores(r: BenchResults): Section {
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

/** The awaited store calls before the model request, and their share of the overhead. */
export function storeShare(r: BenchResults): Section {
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

/** Loading and trimming threads of 10, 100 and 1,000 turns, per store. */
export function trims(r: BenchResults): Section {
  const cell = (s: StoreResult, n: string) =>
    `${fmtSummary(s.trim[n].total)} (load ${fmt(s.trim[n].load.p50)}, build ${fmt(s.trim[n].build.p50)})`;
  return {
    title: 'Load and trim a thread: store load + buildRequest, p50 / p99 (load / build p50)',
    headers: ['Store', '10 turns', '100 turns', '1,000 turns', 'turns kept of 1,000'],
    rows: r.perStore.map((s) => [s.store, cell(s, '10'), cell(s, '100'), cell(s, '1000'), String(s.trim['1000'].kept)]),
    notes: ['Turns of 150 / 600 characters (user / assistant), token counts stored with them as the bot saves them.'],
  };
}
