// The streaming section of BENCHMARKS.md: this bot beside Bolt's sayStream(), first visible text and Slack writes.
import type { Section } from './report-section';
import type { BenchResults } from './results';
import { fmt, fmtSummary, ratio } from './stats';
import type { LongResult } from './streaming-runs';

/** First visible text, Slack writes per answer and 50 answers at once under the tiers: bot vs sayStream(). */
export function streaming(r: BenchResults): Section {
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
