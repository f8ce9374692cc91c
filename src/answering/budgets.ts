/** Daily model-token budgets: read before answering, counted after, in the store every instance shares. */
import type { Config } from '../config';
import type { Context } from '../conversation/context';
import type { IncomingMessage } from '../conversation/incoming';
import type { LlmUsage } from '../llm/llm';
import type { Logger } from '../logger';
import { OutageNotice } from '../store/outage-notice';
import type { UsageCounters } from '../store/thread-store';

/** Whose allowance ran out. */
export type BudgetScope = 'user' | 'context' | 'workspace';

/** Go ahead, or not until `resetsAt` (epoch ms) because the `scope` allowance is used up. */
export type BudgetVerdict = { ok: true } | { ok: false; scope: BudgetScope; resetsAt: number };

/** The counters that apply to one question and what they held when read (undefined: not read, answer anyway). */
export interface Spending {
  counters: Counter[];
  totals: number[] | undefined;
  resetsAt: number;
}

interface Counter {
  scope: BudgetScope;
  key: string;
  limit: number;
}

const DAY = 24 * 3_600_000;
/** Counters outlive their day a little, so an answer finishing just after the reset is still added to its day. */
const GRACE_MS = 3_600_000;

/** The budget day holding `now`: from the last `resetUtcHour`:00 UTC to the next. */
export function budgetDay(now: number, resetUtcHour: number): { start: number; end: number } {
  const date = new Date(now);
  let start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), resetUtcHour);
  if (start > now) start -= DAY;
  return { start, end: start + DAY };
}

/** What the budgets need; built once with the question handler. */
export interface BudgetDeps {
  counters: UsageCounters;
  budgets: Config['budgets'];
  /** Desk admins: never refused for budget (their tokens still count toward the context and workspace). */
  admins: string[];
  logger: Logger;
  now?: () => number;
}

/**
 * Reads and adds to the day's counters. A store that fails is passed over (the question is answered, one warning
 * per failing spell): budgets cap spend, they must not take the bot down with the store.
 */
export class SpendBudgets {
  readonly #deps: BudgetDeps;
  readonly #now: () => number;
  readonly #admins: Set<string>;
  // One warning per store outage for each kind of call, not one per question.
  readonly #reads: OutageNotice;
  readonly #counts: OutageNotice;

  constructor(deps: BudgetDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#admins = new Set(deps.admins);
    this.#reads = new OutageNotice(deps.logger, 'could not read the daily budgets: answering anyway');
    this.#counts = new OutageNotice(deps.logger, 'could not count tokens toward the daily budgets');
  }

  /**
   * Starts reading the counters for a question; never rejects. The handler calls it as it claims the question,
   * so the read travels with the claim (Redis pipelines both in one write) instead of after it.
   */
  read(message: IncomingMessage, context: Context): Promise<Spending> {
    const day = budgetDay(this.#now(), this.#deps.budgets.resetUtcHour);
    const counters = this.#counters(message, context, day.start).filter(
      (counter) => !(counter.scope === 'user' && this.#admins.has(message.user)),
    );
    const spending = (totals: number[] | undefined): Spending => ({ counters, totals, resetsAt: day.end });
    if (counters.length === 0) return Promise.resolve(spending([]));
    return this.#deps.counters.usage(counters.map((counter) => counter.key)).then(
      (totals) => {
        this.#reads.ok();
        return spending(totals);
      },
      (err: unknown) => {
        this.#reads.failed(err);
        return spending(undefined);
      },
    );
  }

  /** Whether the question may go to the model: every counter read is under its limit (admins skip their own). */
  check(spending: Spending): BudgetVerdict {
    const over = spending.counters.find((counter, n) => (spending.totals?.[n] ?? 0) >= counter.limit);
    return over ? { ok: false, scope: over.scope, resetsAt: spending.resetsAt } : { ok: true };
  }

  /** Adds an answer's tokens (input and output) to the day's counters; never rejects. */
  async record(message: IncomingMessage, context: Context, usage: LlmUsage | undefined, log: Logger): Promise<void> {
    const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
    if (tokens <= 0) return;
    const day = budgetDay(this.#now(), this.#deps.budgets.resetUtcHour);
    const counters = this.#counters(message, context, day.start);
    try {
      await Promise.all(
        counters.map((counter) => this.#deps.counters.addUsage(counter.key, tokens, day.end + GRACE_MS)),
      );
      this.#counts.ok();
      log.debug('tokens counted toward the daily budgets', { tokens, scopes: counters.map((c) => c.scope) });
    } catch (err) {
      this.#counts.failed(err, {}, log);
    }
  }

  /** The counters with a limit for this question; keys name their budget day, so a new day starts from zero. */
  #counters(message: IncomingMessage, context: Context, day: number): Counter[] {
    const { userDaily, contextDaily, workspaceDaily } = this.#deps.budgets;
    const contextLimit = context.dailyTokens ?? contextDaily;
    const counters: Counter[] = [];
    if (userDaily > 0)
      counters.push({ scope: 'user', key: `budget:${day}:u:${message.team}:${message.user}`, limit: userDaily });
    if (contextLimit) counters.push({ scope: 'context', key: `budget:${day}:x:${context.name}`, limit: contextLimit });
    if (workspaceDaily)
      counters.push({ scope: 'workspace', key: `budget:${day}:w:${message.team}`, limit: workspaceDaily });
    return counters;
  }
}
