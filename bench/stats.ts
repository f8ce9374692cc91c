/** The value below which `p` (0–1) of the samples fall (nearest rank); NaN without samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** p50, p99 and the sample count. */
export interface Summary {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export function summarize(samples: number[]): Summary {
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.length ? Math.max(...samples) : Number.NaN,
    n: samples.length,
  };
}

export function median(samples: number[]): number {
  return percentile(samples, 0.5);
}

/** A number with sensible precision for a table cell. */
export function fmt(value: number, unit = ''): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit}`;
}

export function fmtSummary(summary: Summary, unit = ' ms'): string {
  return `${fmt(summary.p50)} / ${fmt(summary.p99)}${unit}`;
}

/** a / b as a table cell ("1.23×"), n/a when it is not a finite number. */
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
