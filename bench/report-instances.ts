import { ok, type Section } from './report-section';
import { fmt } from './stats';
import type { TwoInstancesResult } from './two-instances';

const s = (ms: number) => `${fmt(ms / 1000)} s`;

/** Two instances on one shared store answering one workspace: the allowance shared, every answer delivered. */
export function instancesSection(results: TwoInstancesResult[]): Section | undefined {
  if (results.length === 0) return undefined;
  const rows = results.flatMap((r) => {
    const together = r.together;
    const threads = r.threads;
    return [
      [
        r.store,
        '50 answers streaming at once',
        '0 × 429, all delivered',
        `${together.http429} × 429, ${together.answered}/${together.sent}, last after ${s(together.lastMs)}`,
        ok(together.http429 === 0 && together.answered === together.sent),
      ],
      [
        r.store,
        '100 questions in 20 threads (5 follow-ups each)',
        'none later than 30 s, 0 × 429',
        `${threads.late} later than 30 s or unanswered, ${threads.http429} × 429, ${threads.answered}/${threads.expected}; ` +
          `question → complete p50 ${s(threads.complete.p50)}, p90 ${s(threads.p90)}, max ${s(threads.complete.max)}`,
        ok(threads.late === 0 && threads.http429 === 0),
      ],
    ];
  });
  return {
    title: 'Two instances, one shared store, one workspace (Slack tiers on)',
    headers: ['Store', 'Run', 'Target', 'Measured', 'Met'],
    rows,
    notes: [
      'Two bot processes on the same Redis or PostgreSQL store, connected to the same workspace (each event goes to ' +
        'one of them, as Slack spreads Socket Mode deliveries); they take their shares of the Slack allowance through ' +
        "the store's capacity leases. Answers are 2,000 characters over ~5 s of model time. In the thread run each " +
        'conversation asks its next question once the previous answer is complete, 20 conversations at a time.',
    ],
  };
}
