/** `npm run report`: the desk's figures from the store, as a table or JSON. Testable: no process globals. */
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL } from '../config/model-section';
import { DEFAULT_STORE_URL } from '../config/store-section';
import { loadPrices } from '../ops/prices';
import { createStore } from '../store/create-store';
import { redactStoreUrl } from '../store/store-url';
import { deskFigures } from './report-figures';
import { formatTable } from './report-format';

export const REPORT_USAGE = `Prints the support desk's figures from the store named by STORE_URL (environment or .env).

usage: npm run report -- --since 7d [--context NAME] [--json]
       --since   how far back: 7d (days), 12h (hours), or a date (2026-11-01)
       --context one context's figures (its name)
       --json    JSON for dashboards instead of the table`;

const HOUR = 3_600_000;

/** The start of the period, epoch ms, or undefined when `since` is not understood. */
export function parseSince(since: string, now = Date.now()): number | undefined {
  const relative = /^(\d+)([dh])$/.exec(since.trim());
  if (relative) return now - Number(relative[1]) * (relative[2] === 'd' ? 24 : 1) * HOUR;
  const date = Date.parse(since);
  return Number.isNaN(date) ? undefined : date;
}

/** Runs the report; returns the exit code. `write` takes stdout, `fail` stderr. */
export async function runReport(
  args: string[],
  env: Record<string, string | undefined>,
  write: (text: string) => void,
  fail: (text: string) => void,
): Promise<number> {
  let values: { since?: string; context?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { since: { type: 'string' }, context: { type: 'string' }, json: { type: 'boolean' } },
    }));
  } catch (err) {
    fail(`report: ${(err as Error).message}\n\n${REPORT_USAGE}\n`);
    return 2;
  }
  const now = Date.now();
  const since = parseSince(values.since ?? '7d', now);
  if (since === undefined) {
    fail(`report: '${values.since}' is not a period (like 7d or 12h) or a date\n\n${REPORT_USAGE}\n`);
    return 2;
  }
  const url = env.STORE_URL?.trim() || DEFAULT_STORE_URL;
  const prices = loadPrices(env.MODEL_PRICES_FILE?.trim() || undefined);
  const model = env.OPENAI_MODEL?.trim() || DEFAULT_MODEL;
  const store = await createStore(url);
  try {
    const { desk } = store;
    const [questions, feedback, threads] = await Promise.all([
      desk.questionsSince(since),
      desk.feedbackSince(since),
      desk.threadsSince(since),
    ]);
    const rows = deskFigures({ questions, feedback, threads }, prices, model, values.context);
    const period = { since: new Date(since).toISOString(), until: new Date(now).toISOString() };
    if (values.json) {
      write(`${JSON.stringify({ ...period, context: values.context ?? null, rows }, null, 2)}\n`);
    } else {
      const about = values.context ? `, context ${values.context}` : '';
      write(`Support desk, ${period.since} to ${period.until}${about} (${redactStoreUrl(url)})\n\n`);
      write(
        `${formatTable(rows)}\n\nDeflection: answered, no 👎, not handed off. Cost is an estimate (${model} prices).\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
