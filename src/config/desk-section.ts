import { z } from 'zod';
import { int, type ParsedEnv } from './env-parsers';

/** The daily model-token budgets, and the desk admins they do not bind. */
export const deskFields = {
  USER_DAILY_TOKENS: int('USER_DAILY_TOKENS', 200_000, 0, 1_000_000_000),
  CONTEXT_DAILY_TOKENS: int('CONTEXT_DAILY_TOKENS', 0, 0, 1_000_000_000_000),
  WORKSPACE_DAILY_TOKENS: int('WORKSPACE_DAILY_TOKENS', 0, 0, 1_000_000_000_000),
  BUDGET_RESET_UTC_HOUR: int('BUDGET_RESET_UTC_HOUR', 0, 0, 23),
  DESK_ADMINS: z
    .string()
    .trim()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .refine(
      (ids) => ids.every((id) => /^[UW][A-Z0-9]+$/.test(id)),
      'DESK_ADMINS must be Slack user ids separated by commas, e.g. U0123ABCD,U0456EFGH',
    ),
};

/** The support-desk part of the Config. */
export interface DeskConfig {
  /**
   * Daily model-token budgets, counted in the store and reset at `resetUtcHour`: per person (0 = none), per context
   * and per workspace (undefined = none).
   */
  budgets: {
    userDaily: number;
    contextDaily: number | undefined;
    workspaceDaily: number | undefined;
    resetUtcHour: number;
  };
  /** Slack user ids of the desk admins (DESK_ADMINS): exempt from the daily budgets. */
  deskAdmins: string[];
  /** The support desk: where a context's handoff webhook URL is read. */
  desk: {
    /** Reads the variable a context's `escalation.webhook_env` names (from the same environment as the rest). */
    webhookUrl(name: string): string | undefined;
  };
}

export function deskConfigOf(e: ParsedEnv<typeof deskFields>, env: NodeJS.ProcessEnv): DeskConfig {
  return {
    budgets: {
      userDaily: e.USER_DAILY_TOKENS,
      contextDaily: e.CONTEXT_DAILY_TOKENS || undefined,
      workspaceDaily: e.WORKSPACE_DAILY_TOKENS || undefined,
      resetUtcHour: e.BUDGET_RESET_UTC_HOUR,
    },
    deskAdmins: e.DESK_ADMINS,
    desk: { webhookUrl: (name) => env[name]?.trim() || undefined },
  };
}
