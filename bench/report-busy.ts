import type { BusyResult } from './busy';
import { ok, type Section } from './report-section';
import type { StoreResult } from './scenarios';
import { fmt } from './stats';

// The one-workspace section of BENCHMARKS.md: targets, the baseline bot beside each timing, many workspaces beside.

/** The Slack allowances the bot's budget and the fake's tiers assume, per workspace. */
export const ALLOWANCES =
  'Slack allowances assumed (per workspace, per app; the fake enforces the same): chat.startStream and ' +
  'chat.stopStream 20 a minute (Tier 2; the bot budgets 18), chat.update, setStatus and conversations.replies 50 ' +
  '(Tier 3; the bot budgets 45), chat.appendStream 100 (Tier 4; the bot budgets 90), chat.postMessage 1 a second ' +
  'per channel and (the bot) 300 a minute per workspace, which the fake does not cap.';

/** Targets of the busy workspace, measured on SQLite; `many` gives the many-workspace figure beside them. */
export function busySection(results: BusyResult[], many: StoreResult | undefined): Section | undefined {
  const bot = results.find((r) => r.kind === 'bot');
  const base = results.find((r) => r.kind === 'sayStream');
  if (!bot) return undefined;
  const rows: string[][] = [];
  const add = (measure: string, target: string, value: string, met: boolean, baseline: string, spread = '') =>
    rows.push([measure, target, value, ok(met), baseline, spread]);
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value)} ms`);
  const s = (value: number | undefined) => (value === undefined ? 'n/a' : `${fmt(value / 1000)} s`);
  add(
    'Overhead p99, 200 at once',
    '≤ 100 ms',
    ms(bot.b200.overhead.p99),
    bot.b200.overhead.p99 <= 100,
    ms(base?.b200.overhead.p99),
    ms(many?.overhead['200'].p99),
  );
  add(
    '200 at once: answered, 429s',
    'all, 0',
    `${bot.b200.answered}/${bot.b200.sent}, ${bot.b200.http429}`,
    bot.b200.answered === bot.b200.sent && bot.b200.http429 === 0,
    base ? `${base.b200.answered}/${base.b200.sent}` : 'n/a',
  );
  add(
    '200 at once: last answer complete',
    '≤ 45 s',
    s(bot.b200.lastMs),
    bot.b200.lastMs <= 45_000,
    s(base?.b200.lastMs),
  );
  add(
    'Overhead p99, 50 at once',
    '',
    ms(bot.b50.overhead.p99),
    true,
    ms(base?.b50.overhead.p99),
    ms(many?.overhead['50'].p99),
  );
  if (bot.twice50) {
    add(
      '50 right after 50: all answered after',
      '',
      s(bot.twice50.lastMs),
      bot.twice50.answered === bot.twice50.sent && bot.twice50.http429 === 0,
      s(base?.twice50?.lastMs),
    );
  }
  if (bot.spread) {
    const spread = base?.spread;
    add(
      `300 over a minute: question → complete p90, 429s`,
      '≤ 10 s, 0',
      `${s(bot.spread.p90)}, ${bot.spread.http429} (${bot.spread.answered}/${bot.spread.sent})`,
      bot.spread.p90 <= 10_000 && bot.spread.http429 === 0 && bot.spread.answered === bot.spread.sent,
      spread ? `${s(spread.p90)} (${spread.answered}/${spread.sent})` : 'n/a',
    );
  }
  add(
    'Answers/s, 64 in flight, instant model, until the last is answered',
    'as Slack allows',
    `${fmt(bot.throughput.wholeAnswersPerSecond)} (${bot.throughput.answeredInRun} answers)`,
    true,
    base ? fmt(base.throughput.wholeAnswersPerSecond) : 'n/a',
    many ? fmt(many.throughput.answersPerSecond) : 'n/a',
  );
  add(
    'CPU ms per answer, budget saturated (same run)',
    '≤ 2 ms',
    fmt(bot.throughput.wholeCpuMsPerAnswer),
    bot.throughput.wholeCpuMsPerAnswer <= 2,
    base ? fmt(base.throughput.wholeCpuMsPerAnswer) : 'n/a',
    many ? fmt(many.throughput.cpuMsPerAnswer) : 'n/a',
  );
  return {
    title: 'One busy workspace (SQLite, Slack tiers on)',
    headers: ['Measure', 'Target', 'This bot', 'Met', 'Baseline bot (sayStream, tiers off)', 'Many workspaces'],
    rows,
    notes: [
      'Every question of a row comes from the same workspace (a fresh one per burst, so one burst does not inherit ' +
        "the last one's spent allowance). Bursts are pooled as in the many-workspace figures (4 of 50, 3 of 200) " +
        'after the same warm-up (40 questions one by one, a burst of 200). The baseline is bench/say-stream-bot.ts ' +
        "(Bolt's sayStream(), no rate awareness) on the same workload in the same run, with the tiers off: with them " +
        'on, Bolt pauses its whole queue on each 429. Only one of the two works at a time, each with the machine to ' +
        "itself as a deployed bot has it; their bursts take turns (the bot's first, the baseline's first, the bot's " +
        'second…), so that a machine whose speed drifts over minutes slows both alike; the longer runs below go one ' +
        'bot after the other. Many workspaces: the per-store figures above.',
      '64 in flight: an instant model, 64 questions always in flight for 6.5 s, then every question asked answered; ' +
        "answers/s and CPU per answer over that whole time (the bot's process.cpuUsage()). The workspace's " +
        'chat.postMessage allowance (300 a minute) is spent within seconds and the questions then in flight wait for ' +
        'the next minute, so this counts every answer with its work and with whatever waiting costs.',
      ALLOWANCES,
    ],
  };
}
