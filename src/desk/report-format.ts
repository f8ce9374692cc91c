/** The desk's figures as a terminal table, and as short lines for the Home tab. */
import type { DeskFigures } from './report-figures';

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)}s`);
const percent = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 100)}%`);
const tokens = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));
const dollars = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

const COLUMNS: Array<[string, (f: DeskFigures) => string]> = [
  ['context', (f) => f.context],
  ['channel', (f) => f.channelKind],
  ['questions', (f) => String(f.questions)],
  ['answered', (f) => String(f.answered)],
  ['failed', (f) => String(f.failed)],
  ['refused', (f) => String(f.refused)],
  ['👍', (f) => String(f.helpful)],
  ['👎', (f) => String(f.notHelpful)],
  ['handed off', (f) => String(f.handedOff)],
  ['resolved', (f) => String(f.resolved)],
  ['stepped back', (f) => String(f.steppedBack)],
  ['deflection', (f) => percent(f.deflectionRate)],
  ['first text p50', (f) => seconds(f.firstVisibleMedianMs)],
  ['p90', (f) => seconds(f.firstVisibleP90Ms)],
  ['tokens in/cached/out', (f) => `${tokens(f.tokensIn)}/${tokens(f.tokensCached)}/${tokens(f.tokensOut)}`],
  ['est. cost', (f) => dollars(f.estimatedCostUsd)],
];

/** Emoji take two columns in a terminal. */
const width = (text: string) => [...text].reduce((w, ch) => w + (/\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0);
const pad = (text: string, to: number, left: boolean) => {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return left ? text + fill : fill + text;
};

/** A plain-text table, one line per row, the totals row last under a rule. */
export function formatTable(rows: DeskFigures[]): string {
  const cells = rows.map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const widths = COLUMNS.map(([title], i) => Math.max(width(title), ...cells.map((line) => width(line[i]))));
  const line = (values: string[]) => values.map((value, i) => pad(value, widths[i], i < 2)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = cells.map(line);
  return [line(COLUMNS.map(([title]) => title)), rule, ...body.slice(0, -1), rule, body.at(-1) ?? ''].join('\n');
}

/** One readable line per row, for Slack (the Home tab). */
export function formatLine(f: DeskFigures): string {
  return [
    `${f.questions} questions, ${f.answered} answered, ${f.failed} failed`,
    `👍 ${f.helpful} · 👎 ${f.notHelpful}`,
    `${f.handedOff} handed off, ${f.resolved} resolved, ${f.steppedBack} stepped back`,
    `deflection ${percent(f.deflectionRate)}`,
    `first text ${seconds(f.firstVisibleMedianMs)} (p90 ${seconds(f.firstVisibleP90Ms)})`,
    `est. ${dollars(f.estimatedCostUsd)}`,
  ].join(' · ');
}
