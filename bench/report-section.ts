// One table of BENCHMARKS.md, as every report file builds it, and the cell that says whether a target was met.

/** A titled table with its notes. */
export interface Section {
  title: string;
  headers: string[];
  rows: string[][];
  notes?: string[];
}

/** A table cell saying whether a target was met. */
export const ok = (met: boolean) => (met ? 'yes' : '**NO**');
