/** The app's Home tab: the desk's figures (last 7 and 30 days, per context) for desk admins, a few words for others. */
import { HOME_FOR_EVERYONE } from '../answering/wording';
import type { PriceTable } from '../ops/prices';
import type { DeskBook } from '../store/desk-book';
import { type DeskFigures, deskFigures } from './report-figures';
import { formatLine } from './report-format';

const DAY = 86_400_000;

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** The figures of the last `days` days, one row per context (all channel kinds together), then the totals. */
export async function figuresFor(book: DeskBook, days: number, prices: PriceTable, model: string) {
  const since = Date.now() - days * DAY;
  const [questions, feedback, threads] = await Promise.all([
    book.questionsSince(since),
    book.feedbackSince(since),
    book.threadsSince(since),
  ]);
  const records = { questions, feedback, threads };
  const contexts = [...new Set([...questions, ...feedback, ...threads].map((r) => r.context))].sort();
  const perContext = contexts.map((name) => deskFigures(records, prices, model, name).at(-1) as DeskFigures);
  return { perContext, total: deskFigures(records, prices, model).at(-1) as DeskFigures };
}

/** The blocks of a desk admin's Home tab. */
export async function adminHome(book: DeskBook, prices: PriceTable, model: string): Promise<unknown[]> {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: 'Support desk' } }];
  for (const days of [7, 30]) {
    const { perContext, total } = await figuresFor(book, days, prices, model);
    blocks.push({ type: 'divider' }, section(`*Last ${days} days*: ${formatLine(total)}`));
    for (const row of perContext) blocks.push(section(`*${row.context}*: ${formatLine(row)}`));
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Deflection: answered, no 👎, not handed off. `npm run report` has more.' }],
  });
  return blocks;
}

/** The blocks of everyone else's Home tab. */
export function everyoneHome(): unknown[] {
  return [section(HOME_FOR_EVERYONE)];
}
