/** What `npm run eval` prints: a table of cases (pass/fail, the failed checks, tokens, latency), or the same as JSON. */
import { basename } from 'node:path';
import type { CaseResult, CaseRun } from './eval-run';

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function totalTokens(run: CaseRun): number {
  return run.tokens.input + run.tokens.output;
}

/** Each distinct failed check across a case's runs, in the order first seen. */
export function failedChecks(result: CaseResult): string[] {
  return [...new Set(result.runs.flatMap((run) => run.failures))];
}

function verdictCell(result: CaseResult, repeat: number): string {
  const word = result.passed ? 'pass' : 'FAIL';
  if (repeat === 1) return word;
  const passes = result.runs.filter((run) => run.pass).length;
  return `${word} ${passes}/${repeat}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The results as an aligned plain-text table, then one summary line. */
export function formatTable(results: CaseResult[], repeat: number): string {
  // Cases from several files are told apart by the file's name.
  const several = new Set(results.map((r) => r.file)).size > 1;
  const label = (r: CaseResult) => (several ? `${basename(r.file).replace(/\.eval\.ya?ml$/i, '')}: ${r.name}` : r.name);
  const rows = results.map((r) => [
    label(r),
    verdictCell(r, repeat),
    String(Math.round(mean(r.runs.map(totalTokens)))),
    seconds(mean(r.runs.map((run) => run.latencyMs))),
    failedChecks(r).join('; '),
  ]);
  const header = ['case', 'result', 'tokens', 'latency', 'failed check'];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  const numeric = new Set([2, 3]);
  const line = (cells: string[]) =>
    cells
      .map((cell, col) => {
        if (col === cells.length - 1) return cell;
        return numeric.has(col) ? cell.padStart(widths[col]) : cell.padEnd(widths[col]);
      })
      .join('  ')
      .trimEnd();
  const passed = results.filter((r) => r.passed).length;
  const summary = `${passed} of ${results.length} case${results.length === 1 ? '' : 's'} passed${
    repeat > 1 ? ` (each run ${repeat} times; a case passes when every run does)` : ''
  }`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${summary}\n`;
}

/** The same results for `--json OUT`. */
export function toJson(results: CaseResult[], meta: { model: string; judgeModel: string; repeat: number }) {
  return {
    ...meta,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    cases: results.map((r) => ({
      file: r.file,
      line: r.line,
      context: r.context,
      name: r.name,
      passed: r.passed,
      passRate: r.passRate,
      failedChecks: failedChecks(r),
      runs: r.runs,
    })),
  };
}
