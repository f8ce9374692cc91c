/** Asking the store for a claim until it decides: a claim that timed out may have landed, so it is never guessed. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutageNotice } from '../store/outage-notice';
import type { ClaimBook } from '../store/thread-store';
import type { Backoff } from './backoff';
import type { StoreHealth } from './store-health';

/** How a claim the store did not decide is asked again; left undecided `giveUpMs` while the store answers others. */
export const CLAIM_RETRIES: Backoff = { pauseMs: 250, maxPauseMs: 2_000, giveUpMs: 60_000 };

/** One claim as the store is asked for it. */
export interface ClaimAsk {
  id: string;
  payload: string;
  expiresAt: number;
  user?: string;
}

/** What judges a claim's failures: the store's health, the pauses, and the warning while claims stay undecided. */
export interface ClaimJudge {
  health: StoreHealth;
  retry: Backoff;
  undecided: OutageNotice;
}

/** The store's answer, or why there is none: it counts as down, or it left this claim undecided for `giveUpMs`. */
export type ClaimDecision =
  | { decided: true; won: boolean }
  | { decided: false; why: 'store down' | 'gave up'; error: unknown };

/**
 * Claims `ask.id`, and after a failure asks again with `reclaim` as the same claimer until the store decides: a
 * first try that landed unseen is then found won by its own claimer, and lost by every other instance's.
 */
export async function decideClaim(
  store: Pick<ClaimBook, 'claim' | 'reclaim'>,
  ask: ClaimAsk,
  judge: ClaimJudge,
): Promise<ClaimDecision> {
  const { id, payload, expiresAt, user } = ask;
  const { health, retry, undecided } = judge;
  const startedAt = Date.now();
  // Names this claim: asked again, a first try that landed unseen is found to be its own, not someone else's.
  const claimer = randomUUID();
  let pause = retry.pauseMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const won =
        attempt === 0
          ? await store.claim(id, payload, expiresAt, user, claimer)
          : await store.reclaim(id, payload, expiresAt, user, claimer);
      health.answered();
      if (attempt > 0) undecided.ok();
      return { decided: true, won };
    } catch (error) {
      if (health.failed(startedAt)) return { decided: false, why: 'store down', error };
      if (Date.now() - startedAt >= retry.giveUpMs) return { decided: false, why: 'gave up', error };
      undecided.failed(error, { id });
      await sleep(pause, undefined, { ref: false });
      pause = Math.min(pause * 2, retry.maxPauseMs);
    }
  }
}

/** Claims this process alone remembers, for when the store decides nothing: each id is taken once until it expires. */
export class LocalClaims {
  private readonly until = new Map<string, number>();

  /** True the first time `id` is taken here (until `expiresAt`). */
  take(id: string, expiresAt: number): boolean {
    const now = Date.now();
    for (const [key, until] of this.until) if (until < now) this.until.delete(key);
    if ((this.until.get(id) ?? 0) > now) return false;
    this.until.set(id, expiresAt);
    return true;
  }
}
