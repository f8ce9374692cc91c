import { z } from 'zod';
import { DAY, int, MINUTE, type ParsedEnv } from './env-parsers';

/** Where thread history lives when STORE_URL is unset. */
export const DEFAULT_STORE_URL = 'sqlite://data/threads.db';
const STORE_SCHEMES = ['memory:', 'sqlite:', 'redis:', 'rediss:', 'postgres:', 'postgresql:'];

/** Which store holds threads, claims and counters. */
export const storeFields = {
  STORE_URL: z
    .string()
    .trim()
    .refine((v) => STORE_SCHEMES.some((s) => v.startsWith(s)), {
      message: `STORE_URL must start with one of ${STORE_SCHEMES.join(' ')} (e.g. sqlite://data/threads.db)`,
    })
    .default(DEFAULT_STORE_URL),
};

/** How long the store keeps history, and when it gives up on an unanswered question. */
export const retentionFields = {
  HISTORY_RETENTION_DAYS: int('HISTORY_RETENTION_DAYS', 30, 1, 3650),
  RECOVERY_WINDOW_MINUTES: int('RECOVERY_WINDOW_MINUTES', 10, 0, 24 * 60),
  RECOVERY_STALE_SECONDS: int('RECOVERY_STALE_SECONDS', 30, 1, 3600),
};

/** The store part of the Config. */
export interface StoreConfig {
  storeUrl: string;
  history: { retentionMs: number };
  /**
   * How long a message claim blocks a second answer (≥ 10 minutes: Slack retries for ~5), and how long a question
   * accepted by an instance that then died is remembered: its asker is told even after a day-long outage.
   */
  claimTtlMs: number;
  /** Questions accepted but never answered (the process died) are answered later if this recent. */
  recovery: { windowMs: number; staleMs: number; intervalMs: number };
}

export function storeConfigOf(e: ParsedEnv<typeof storeFields & typeof retentionFields>): StoreConfig {
  const recoveryWindowMs = e.RECOVERY_WINDOW_MINUTES * MINUTE;
  return {
    storeUrl: e.STORE_URL,
    history: { retentionMs: e.HISTORY_RETENTION_DAYS * DAY },
    claimTtlMs: Math.max(DAY, 2 * recoveryWindowMs),
    recovery: {
      windowMs: recoveryWindowMs,
      staleMs: e.RECOVERY_STALE_SECONDS * 1000,
      intervalMs: Math.max(250, Math.floor((e.RECOVERY_STALE_SECONDS * 1000) / 3)),
    },
  };
}
