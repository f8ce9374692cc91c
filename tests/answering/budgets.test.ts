import { budgetDay, SpendBudgets } from '../../src/answering/budgets';
import { overBudget } from '../../src/answering/wording';
import { loadConfig } from '../../src/config';
import type { Context } from '../../src/conversation/context';
import type { IncomingMessage } from '../../src/conversation/incoming';
import type { ConfigError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import { recordingLogger } from '../helpers/recording-logger';

const at = (iso: string) => Date.parse(iso);
const valid = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-abc', OPENAI_API_KEY: 'sk-testkey123456' };
const message = (user: string) => ({ team: 'T1', user, channel: 'D1', ts: '1.1' }) as IncomingMessage;
const context = (extra: Partial<Context> = {}) => ({ name: 'IT', ...extra }) as Context;

describe('the budget day', () => {
  it('runs from the reset hour (UTC) to the same hour the next day', () => {
    expect(budgetDay(at('2026-11-28T05:59:59Z'), 6)).toEqual({
      start: at('2026-11-27T06:00:00Z'),
      end: at('2026-11-28T06:00:00Z'),
    });
    expect(budgetDay(at('2026-11-28T06:00:00Z'), 6).start).toBe(at('2026-11-28T06:00:00Z'));
    expect(budgetDay(at('2026-12-31T23:30:00Z'), 0).end).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('tells the asker when it resets, in UTC and how soon', () => {
    const now = at('2026-11-28T19:00:00Z');
    expect(overBudget('user', at('2026-11-29T00:00:00Z'), now)).toBe(
      "You've used up today's allowance for questions to me. It resets at 00:00 UTC (in about 5 hours): please ask again then.",
    );
    expect(overBudget('workspace', at('2026-11-28T19:01:00Z'), now)).toContain('resets at 19:01 UTC (in 1 minute)');
  });
});

describe('spend budgets on a store', () => {
  const budgets = { userDaily: 100, contextDaily: undefined, workspaceDaily: 1_000, resetUtcHour: 0 };

  it('stops at the first budget used up, and counts every budget with a limit', async () => {
    const store = new MemoryStore();
    const spend = new SpendBudgets({ counters: store, budgets, admins: [], logger: recordingLogger() });
    await spend.record(message('U1'), context(), { inputTokens: 70, outputTokens: 40 }, recordingLogger());
    expect(spend.check(await spend.read(message('U1'), context()))).toMatchObject({ ok: false, scope: 'user' });
    expect(spend.check(await spend.read(message('U2'), context()))).toEqual({ ok: true });
    const limited = context({ dailyTokens: 50 });
    expect(spend.check(await spend.read(message('U2'), limited))).toEqual({ ok: true });
    await spend.record(message('U2'), limited, { inputTokens: 60, outputTokens: 0 }, recordingLogger());
    expect(spend.check(await spend.read(message('U3'), limited))).toMatchObject({ ok: false, scope: 'context' });
    await store.close();
  });

  it('answers anyway while the store cannot be read, with one warning for the outage', async () => {
    const logger = recordingLogger();
    const failing = {
      usage: () => Promise.reject(new Error('down')),
      addUsage: () => Promise.reject(new Error('down')),
    };
    const spend = new SpendBudgets({ counters: failing, budgets, admins: [], logger });
    expect(spend.check(await spend.read(message('U1'), context()))).toEqual({ ok: true });
    expect(spend.check(await spend.read(message('U1'), context()))).toEqual({ ok: true });
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });
});

describe('budget settings', () => {
  it('defaults to 200,000 tokens a person a day, no other budget, reset at midnight UTC, no admins', () => {
    const config = loadConfig(valid);
    expect(config.budgets).toEqual({
      userDaily: 200_000,
      contextDaily: undefined,
      workspaceDaily: undefined,
      resetUtcHour: 0,
    });
    expect(config.deskAdmins).toEqual([]);
  });

  it('reads the budgets and a comma-separated admin list, and names what is wrong', () => {
    const config = loadConfig({
      ...valid,
      USER_DAILY_TOKENS: '0',
      WORKSPACE_DAILY_TOKENS: '5000000',
      DESK_ADMINS: 'U1AB, W2CD',
    });
    expect(config.budgets).toMatchObject({ userDaily: 0, workspaceDaily: 5_000_000 });
    expect(config.deskAdmins).toEqual(['U1AB', 'W2CD']);
    try {
      loadConfig({ ...valid, BUDGET_RESET_UTC_HOUR: '24', DESK_ADMINS: 'alice' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'BUDGET_RESET_UTC_HOUR must be a whole number from 0 to 23',
        'DESK_ADMINS must be Slack user ids separated by commas, e.g. U0123ABCD,U0456EFGH',
      ]);
    }
  });
});
