/** Claims: a message is answered once, across instances; with the store down, once per instance. */
import type { Logger } from '../logger';
import { OutageNotice } from '../store/outage-notice';
import type { ClaimBook } from '../store/thread-store';
import { describe } from './describe-error';

/** First retry of a failed `complete`; doubles up to COMPLETE_RETRY_MAX_MS. */
const COMPLETE_RETRY_MS = 500;
const COMPLETE_RETRY_MAX_MS = 15_000;

/**
 * The claims this instance holds. A claim is held (and heartbeated) from the moment it is taken until the store has
 * recorded it complete: a `complete` lost to a store blip is retried, and the claim keeps its heartbeat meanwhile,
 * so no other instance takes over a question whose answer is already in Slack.
 */
export class Claims {
  private readonly held = new Set<string>();
  // With the store unreachable the bot still answers, without memory: claims fall back to this process alone.
  private readonly local = new Map<string, number>();
  private readonly retries = new Set<NodeJS.Timeout>();
  // Every question of a store outage fails to complete: one warning for the outage, not one per question.
  private readonly completions: OutageNotice;

  constructor(
    private readonly store: ClaimBook,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {
    this.completions = new OutageNotice(logger, 'could not mark a question answered yet; retrying');
  }

  /** Claims message `id` for this instance; false when someone already has. `payload` is kept until complete. */
  async take(id: string, payload: string, user: string): Promise<boolean> {
    const expiresAt = Date.now() + this.ttlMs;
    try {
      return await this.store.claim(id, payload, expiresAt, user);
    } catch (err) {
      this.logger.warn('store unreachable: answering without memory', { error: describe(err) });
      const now = Date.now();
      for (const [key, until] of this.local) if (until < now) this.local.delete(key);
      if ((this.local.get(id) ?? 0) > now) return false;
      this.local.set(id, expiresAt);
      return true;
    }
  }

  /** Starts heartbeating a claim this instance is answering. */
  hold(id: string): void {
    this.held.add(id);
  }

  /** Whether this instance is answering (or still completing) the claim. */
  holds(id: string): boolean {
    return this.held.has(id);
  }

  /** Ids to heartbeat: claims being answered, and answered ones whose completion the store has not taken yet. */
  heldIds(): string[] {
    return [...this.held];
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
