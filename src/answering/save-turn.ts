/** Saving a question and its answer as the thread's next two turns. */
import { setTimeout as sleep } from 'node:timers/promises';
import { type IncomingMessage, threadKey } from '../conversation/incoming';
import { countTokens } from '../conversation/tokens';
import type { Turn } from '../conversation/turn';
import { fileReferences } from '../files/file-ref';
import type { Logger } from '../logger';
import { safeText } from '../slack/safe-text';
import type { ThreadHistory } from '../store/thread-store';
import type { Backoff } from './backoff';
import { describe } from './describe-error';

/** How a failed save is tried again. */
export const SAVE_RETRIES: Backoff = { pauseMs: 500, maxPauseMs: 8_000, giveUpMs: 30_000 };

/** What saving a turn needs. */
export interface SaveDeps {
  history: Pick<ThreadHistory, 'append'>;
  retentionMs: number;
  logger: Logger;
  retries?: Backoff;
}

/** A save to try again, and where it came from (for the log). */
interface PendingSave {
  save: () => Promise<void>;
  where: Record<string, string>;
}

/**
 * Appends each question and its answer as the thread's next two turns. The answer is already in Slack: a store
 * failure here is logged, never turned into an apology. Token counts are stored once the thread is long enough for
 * trimming to count them (`counted`), so short threads never tokenize. A key pasted into a question, or echoed by the
 * model, is not kept.
 *
 * `save` resolves after the first try. A failed one may have landed all the same (a timeout: the store went on with
 * it), and the store keeps a turn once however often it is appended: it is tried again in the background, so that the
 * turn is not lost to a slow store and the thread's next question does not wait for it. At shutdown, `flush` tries
 * what is still waiting once more, at once, before the store closes.
 */
export class TurnSaver {
  readonly #deps: SaveDeps;
  readonly #pending = new Set<PendingSave>();
  readonly #stopping = new AbortController();

  constructor(deps: SaveDeps) {
    this.#deps = deps;
  }

  async save(message: IncomingMessage, answer: { text: string; ts: string; counted: boolean }): Promise<void> {
    const deps = this.#deps;
    const turns = turnsOf(message, answer);
    const pending: PendingSave = {
      save: () => deps.history.append(threadKey(message), turns, Date.now() + deps.retentionMs),
      where: { channel: message.channel, ts: message.ts },
    };
    try {
      await pending.save();
    } catch (err) {
      deps.logger.warn('could not save the turn yet; retrying', { ...pending.where, error: describe(err) });
      this.#pending.add(pending);
      void this.#retry(pending);
    }
  }

  /**
   * At shutdown, once answers have drained: every save still being retried is tried once more now, not after its
   * pause. Returns how many could not be saved (each logged as an error).
   */
  async flush(): Promise<number> {
    this.#stopping.abort();
    const last = [...this.#pending];
    this.#pending.clear();
    const lost = await Promise.all(last.map((pending) => this.#tryOnce(pending, 'last try at shutdown')));
    return lost.filter(Boolean).length;
  }

  /** Tries again, the pause doubling each time, until a try works, the next would start past `giveUpMs`, or flush. */
  async #retry(pending: PendingSave): Promise<void> {
    const retries = this.#deps.retries ?? SAVE_RETRIES;
    const until = Date.now() + retries.giveUpMs;
    let pause = retries.pauseMs;
    for (let attempt = 2; ; attempt++) {
      try {
        await sleep(pause, undefined, { ref: false, signal: this.#stopping.signal });
      } catch {
        // Shutting down: flush took over what was waiting; a save that failed after it had run is lost, and says so.
        if (this.#pending.delete(pending))
          this.#deps.logger.error('could not save the turn', { ...pending.where, attempts: attempt - 1 });
        return;
      }
      if (!this.#pending.has(pending)) return;
      try {
        await pending.save();
        this.#pending.delete(pending);
        this.#deps.logger.info('saved the turn', { ...pending.where, attempt });
        return;
      } catch (err) {
        pause = Math.min(pause * 2, retries.maxPauseMs);
        if (Date.now() + pause > until) {
          this.#pending.delete(pending);
          this.#deps.logger.error('could not save the turn', {
            ...pending.where,
            attempts: attempt,
            error: describe(err),
          });
          return;
        }
      }
    }
  }

  /** One try; true if it failed (logged). */
  async #tryOnce(pending: PendingSave, attempt: string): Promise<boolean> {
    try {
      await pending.save();
      this.#deps.logger.info('saved the turn', { ...pending.where, attempt });
      return false;
    } catch (err) {
      this.#deps.logger.error('could not save the turn', { ...pending.where, attempt, error: describe(err) });
      return true;
    }
  }
}

/** The question and the answer as stored: safe text, token counts when counted, file references only. */
function turnsOf(message: IncomingMessage, answer: { text: string; ts: string; counted: boolean }): Turn[] {
  const tokens = (text: string) => (answer.counted ? { tokens: countTokens(text) } : {});
  const [questionText, answerText] = [safeText(message.text), safeText(answer.text)];
  return [
    {
      role: 'user',
      text: questionText,
      ts: message.ts,
      user: message.user,
      ...tokens(questionText),
      // References only (id, name, type), so a follow-up can fetch the images again; never the files' contents.
      ...(message.files ? { files: fileReferences(message.files) } : {}),
    },
    { role: 'assistant', text: answerText, ts: answer.ts, ...tokens(answerText) },
  ];
}
