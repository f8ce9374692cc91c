/** The checks between a claim and its answer: today's access rules, the per-person limits, the daily budgets. */
import type { Context } from '../conversation/context';
import type { IncomingMessage } from '../conversation/incoming';
import type { QuestionOutcome } from '../ops/metrics';
import type { AnswerReason, Gate } from './admission';
import type { SpendBudgets, Spending } from './budgets';
import type { UserLimits } from './user-limits';
import { overBudget, TOO_MANY } from './wording';

/** Go ahead (and `release` the person's place when done), or what to tell the asker instead, if anything. */
export type PreAnswer =
  | { go: true; context: Context; release(): void }
  | { go: false; text: string | undefined; why: string; outcome: QuestionOutcome };

/** What the checks consult. */
export interface PreAnswerChecks {
  gate: Gate;
  limits: UserLimits;
  budgets: SpendBudgets;
}

/**
 * Runs the checks in order; `spending` is the budget read started with the claim (so it costs no round trip of its
 * own), read now when absent (a question taken over from another instance).
 */
export async function checkBeforeAnswer(
  checks: PreAnswerChecks,
  message: IncomingMessage,
  context: Context | undefined,
  why: AnswerReason,
  spending?: Promise<Spending>,
): Promise<PreAnswer> {
  const admission = await checks.gate.recheck(message, context, why);
  if (!admission.admit) return { go: false, text: admission.refusal, why: admission.why, outcome: 'refused' };
  const place = checks.limits.take(message.user);
  if (!place.ok) {
    return { go: false, text: place.notify ? TOO_MANY : undefined, why: 'over limit', outcome: 'rate_limited' };
  }
  const budget = checks.budgets.check(await (spending ?? checks.budgets.read(message, admission.context)));
  if (!budget.ok) {
    place.release();
    const text = overBudget(budget.scope, budget.resetsAt);
    return { go: false, text, why: `over the ${budget.scope} budget`, outcome: 'over_budget' };
  }
  return { go: true, context: admission.context, release: place.release };
}
