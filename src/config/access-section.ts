import { bool, int, type ParsedEnv } from './env-parsers';

/** Who may ask. */
export const accessFields = {
  ALLOW_EXTERNAL_USERS: bool('ALLOW_EXTERNAL_USERS', false),
  DM_MEMBERS_ONLY: bool('DM_MEMBERS_ONLY', false),
};

/** How much one person may ask at once, and how many model calls run together. */
export const limitFields = {
  USER_MAX_IN_FLIGHT: int('USER_MAX_IN_FLIGHT', 3, 1, 1_000),
  USER_MAX_PER_MINUTE: int('USER_MAX_PER_MINUTE', 10, 1, 10_000),
  MODEL_MAX_CONCURRENCY: int('MODEL_MAX_CONCURRENCY', 256, 1, 10_000),
};

/** The access and load-limit part of the Config. */
export interface AccessConfig {
  access: { allowExternalUsers: boolean; dmMembersOnly: boolean };
  /** Load limits: per person (in this instance), and model calls at once (the rest wait their turn). */
  limits: { perUser: { maxInFlight: number; maxPerMinute: number }; modelConcurrency: number };
}

export function accessConfigOf(e: ParsedEnv<typeof accessFields & typeof limitFields>): AccessConfig {
  return {
    access: { allowExternalUsers: e.ALLOW_EXTERNAL_USERS, dmMembersOnly: e.DM_MEMBERS_ONLY },
    limits: {
      perUser: { maxInFlight: e.USER_MAX_IN_FLIGHT, maxPerMinute: e.USER_MAX_PER_MINUTE },
      modelConcurrency: e.MODEL_MAX_CONCURRENCY,
    },
  };
}
