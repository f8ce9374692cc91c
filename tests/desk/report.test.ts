import { join } from 'node:path';
import { parseSince, runReport } from '../../src/desk/report-cli';
import type { QuestionRecord } from '../../src/store/desk-book';
import { SqliteStore } from '../../src/store/sqlite-store';
import { scratchDir } from '../helpers/scratch-dir';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/** A scripted week in IT (a channel and DMs) and HR, and one question too old to count. */
async function seedWeek(file: string): Promise<void> {
  const store = await SqliteStore.create(file);
  const now = Date.now();
  const q = (ts: string, over: Partial<QuestionRecord>): QuestionRecord => ({
    thread: `T1:C0IT:${ts}`,
    ts,
    channel: 'C0IT',
    context: 'IT desk',
    channelKind: 'channel',
    outcome: 'answered',
    at: now - DAY,
    tokensIn: 0,
    tokensCached: 0,
    tokensOut: 0,
    files: 0,
    ...over,
  });
  const questions = [
    q('1.1', { answerTs: '1.2', firstVisibleMs: 800, tokensIn: 1000, tokensCached: 500, tokensOut: 100 }),
    q('2.1', { answerTs: '2.2', firstVisibleMs: 1200, tokensIn: 2000, tokensCached: 1000, tokensOut: 200 }),
    q('3.1', { answerTs: '3.2', firstVisibleMs: 3000, at: now - 6 * DAY }),
    q('4.1', { outcome: 'failed' }),
    q('5.1', { outcome: 'handed_off' }),
    q('6.1', {
      thread: 'T1:D0U2:6.1',
      channel: 'D0U2',
      channelKind: 'dm',
      answerTs: '6.2',
      firstVisibleMs: 500,
      tokensIn: 400,
      tokensOut: 50,
      files: 2,
    }),
    q('7.1', { thread: 'T1:C0HR:7.1', channel: 'C0HR', context: 'HR', outcome: 'refused' }),
    q('8.1', { answerTs: '8.2', firstVisibleMs: 100, at: now - 10 * DAY }),
  ];
  for (const record of questions) await store.desk.recordQuestion(record, now + YEAR);
  const it = { context: 'IT desk', channelKind: 'channel' as const };
  await store.desk.markThread('T1:C0IT:3.1', 'handedOff', it, now + YEAR);
  await store.desk.markThread('T1:C0IT:1.1', 'resolved', it, now + YEAR);
  await store.desk.markThread('T1:C0IT:2.1', 'steppedBack', it, now + YEAR);
  const feedback = { context: 'IT desk', at: now - DAY };
  await store.desk.recordFeedback(
    { ...feedback, channel: 'C0IT', answerTs: '2.2', user: 'U1', value: 'up' },
    now + YEAR,
  );
  await store.desk.recordFeedback(
    { ...feedback, channel: 'C0IT', answerTs: '2.2', user: 'U1', value: 'down' },
    now + YEAR,
  );
  await store.desk.recordFeedback(
    { ...feedback, channel: 'D0U2', answerTs: '6.2', user: 'U2', value: 'up' },
    now + YEAR,
  );
  await store.close();
}

async function report(args: string[], file: string) {
  let out = '';
  let err = '';
  const env = { STORE_URL: `sqlite:${file}`, OPENAI_MODEL: 'gpt-5.4-mini' };
  const code = await runReport(
    args,
    env,
    (t) => (out += t),
    (t) => (err += t),
  );
  return { code, out, err };
}

describe('npm run report', () => {
  const file = join(scratchDir('report'), 'desk.db');
  beforeAll(() => seedWeek(file));

  it("matches the scripted week's numbers, field by field, in JSON", async () => {
    const { code, out } = await report(['--since', '7d', '--json'], file);
    expect(code).toBe(0);
    const { rows } = JSON.parse(out);
    const base = { refused: 0, failed: 0, helpful: 0, notHelpful: 0, handedOff: 0, resolved: 0, steppedBack: 0 };
    expect(rows).toEqual([
      {
        ...base,
        context: 'HR',
        channelKind: 'channel',
        questions: 1,
        answered: 0,
        refused: 1,
        deflected: 0,
        deflectionRate: 0,
        firstVisibleMedianMs: null,
        firstVisibleP90Ms: null,
        tokensIn: 0,
        tokensCached: 0,
        tokensOut: 0,
        estimatedCostUsd: 0,
      },
      {
        ...base,
        context: 'IT desk',
        channelKind: 'channel',
        questions: 5,
        answered: 3,
        failed: 1,
        notHelpful: 1,
        handedOff: 1,
        resolved: 1,
        steppedBack: 1,
        deflected: 1,
        deflectionRate: 0.2,
        firstVisibleMedianMs: 1200,
        firstVisibleP90Ms: 3000,
        tokensIn: 3000,
        tokensCached: 1500,
        tokensOut: 300,
        // (1,500 × 0.75 + 1,500 × 0.075 + 300 × 4.5) / 1M
        estimatedCostUsd: 0.002588,
      },
      {
        ...base,
        context: 'IT desk',
        channelKind: 'dm',
        questions: 1,
        answered: 1,
        helpful: 1,
        deflected: 1,
        deflectionRate: 1,
        firstVisibleMedianMs: 500,
        firstVisibleP90Ms: 500,
        tokensIn: 400,
        tokensCached: 0,
        tokensOut: 50,
        estimatedCostUsd: 0.000525,
      },
      {
        context: 'all',
        channelKind: 'all',
        questions: 7,
        answered: 4,
        failed: 1,
        refused: 1,
        helpful: 1,
        notHelpful: 1,
        handedOff: 1,
        resolved: 1,
        steppedBack: 1,
        deflected: 2,
        deflectionRate: 2 / 7,
        firstVisibleMedianMs: 800,
        firstVisibleP90Ms: 3000,
        tokensIn: 3400,
        tokensCached: 1500,
        tokensOut: 350,
        estimatedCostUsd: 0.003113,
      },
    ]);
  });

  it('limits the figures to one context, and prints a table by default', async () => {
    const { out } = await report(['--since', '7d', '--context', 'HR'], file);
    const lines = out.split('\n');
    expect(lines[0]).toContain('context HR');
    expect(out).toContain('questions');
    expect(lines.filter((line) => line.startsWith('HR '))).toHaveLength(2);
    expect(out).not.toContain('IT desk');
  });

  it('counts the question from ten days ago in a longer period', async () => {
    const { out } = await report(['--since', '30d', '--json'], file);
    expect(JSON.parse(out).rows.at(-1).questions).toBe(8);
  });

  it('refuses a period it does not understand', async () => {
    const { code, err } = await report(['--since', 'last week'], file);
    expect(code).toBe(2);
    expect(err).toContain('usage: npm run report');
    expect(parseSince('12h', 100 * 3_600_000)).toBe(88 * 3_600_000);
  });
});
