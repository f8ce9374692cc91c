/** Reciprocal rank fusion: merges rankings from different scorers without comparing their scores. */

/** The usual constant: damps the head of each list so one scorer's top hit does not decide alone. */
const K = 60;

/** Ids ordered by Σ 1 / (K + rank) over the rankings they appear in. */
export function fuseRankings(rankings: readonly (readonly number[])[]): number[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (K + rank + 1));
    });
  }
  return [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}
