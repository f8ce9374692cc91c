/** Claims: a message is answered once, across instances; with the store down, once per instance. */
import type { Logger } from '../logger';
import { OutageNotice } from '../store/outage-notice';
import type { ClaimBook } from '../store/thread-store';
import type { Backoff } from './backoff';
import { CLAIM_RETRIES, decideClaim, LocalClaims } from './claim-decision';
import { describe } from './describe-error';
import { StoreHealth } from './store-health';

/** First retry of a failed `complete`; doubles up to COMPLETE_RETRY_MAX_MS. */
const COMPLETE_RETRY_MS = 500;
const COMPLETE_RETRY_MAX_MS = 15_000;

/**
 * The claims this instance holds. A claim is held (and heartbeated) from the moment it is taken until the store has
 * recorded it complete: a `complete` lost to a store blip is retried, and the claim keeps its heartbeat meanwhile,
 * so no other instance takes over a question whose answer is already in Slack.
 *
 * A claim the store failed to decide (a timeout: the write may have landed, and another instance may be claiming the
 * same message) is not answered on a guess: it is asked again, as the same claimer, until the store says whose it
 * is. Only while the store is down (see StoreHealth) do claims fall back to this process alone.
 */
export class Claims {
  private readonly held = new Set<string>();
  // Claims being decided, counted per id (a mention's two events may both be asking): heartbeated meanwhile.
  private readonly deciding = new Map<string, number>();
  // With the store down, the bot still answers, without memory: claims fall back to this process alone.
  private readonly local = new LocalClaims();
  private readonly retries = new Set<NodeJS.Timeout>();
  // Every question of a store outage fails to complete: one warning for the outage, not one per question.
  private readonly completions: OutageNotice;
  private readonly undecided: OutageNotice;

  constructor(
    private readonly store: ClaimBook,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly health = new StoreHealth(),
    private readonly retry: Backoff = CLAIM_RETRIES,
  ) {
    this.completions = new OutageNotice(logger, 'could not mark a question answered yet; retrying');
    this.undecided = new OutageNotice(logger, 'could not claim a question yet; asking the store again');
  }

  /** Claims message `id` for this instance; false when someone already has. `payload` is kept until complete. */
  async take(id: string, payload: string, user: string): Promise<boolean> {
    this.deciding.set(id, (this.deciding.get(id) ?? 0) + 1);
    try {
      return await this.decide(id, payload, user);
    } finally {
      const left = (this.deciding.get(id) ?? 1) - 1;
      if (left > 0) this.deciding.set(id, left);
      else this.deciding.delete(id);
    }
  }

  private async decide(id: string, payload: string, user: string): Promise<boolean> {
    const expiresAt = Date.now() + this.ttlMs;
    const judge = { health: this.health, retry: this.retry, undecided: this.undecided };
    const decision = await decideClaim(this.store, { id, payload, expiresAt, user }, judge);
    if (decision.decided) return decision.won;
    const error = describe(decision.error);
    if (decision.why === 'store down') this.logger.warn('store unreachable: answering without memory', { error });
    else this.logger.error('could not claim a question; answering it anyway', { id, error });
    return this.local.take(id, expiresAt);
  }

  /** Starts heartbeating a claim this instance is answering. */
  hold(id: string): void {
    this.held.add(id);
  }

  /** Whether this instance is answering (or still completing) the claim. */
  holds(id: string): boolean {
    return this.held.has(id);
  }

  /**
   * Ids to heartbeat: claims being decided (a first try that landed unseen must not look abandoned), being answered,
   * and answered ones whose completion the store has not taken yet.
   */
  heldIds(): string[] {
    return [...new Set([...this.deciding.keys(), ...this.held])];
  }

  /** Records a Slack message written for the claim's answer, so that a taker deletes only those. Best effort. */
  noteWritten(id: string, ts: string): void {
    // Debug only: with the store down, the claim itself already failed (and was logged) for this question.
    this.store.noteWritten(id, ts).catch((err: unknown) => {
      this.logger.debug('could not record a reply message', { id, error: describe(err) });
    });
  }

  /** Marks the claim answered, retrying until the store takes it (or the claim would have expired anyway). */
  async complete(id: string): Promise<void> {
    const until = Date.now() + this.ttlMs;
    let pause = COMPLETE_RETRY_MS;
    const attempt = async (): Promise<void> => {
      try {
        await this.store.complete(id);
        this.health.answered();
        this.completions.ok();
        this.held.delete(id);
      } catch (err) {
        if (Date.now() + pause >= until) {
          this.held.delete(id);
          this.logger.error('could not mark a question answered', { id, error: describe(err) });
          return;
        }
        this.completions.failed(err, { id });
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          void attempt();
        }, pause);
        timer.unref();
        this.retries.add(timer);
        pause = Math.min(pause * 2, COMPLETE_RETRY_MAX_MS);
      }
    };
    await attempt();
  }

  /** Stops retrying completions (shutdown): claims left pending are taken over, and found answered, elsewhere. */
  close(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }
}
