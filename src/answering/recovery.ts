import type { ContextRegistry } from '../conversation/context';
import type { IncomingMessage } from '../conversation/incoming';
import type { Logger } from '../logger';
import type { ThreadStore } from '../store/thread-store';
import { describe, type QuestionHandler } from './answer-question';

/** How the recovery sweep finds questions a dead instance accepted but never answered. */
export interface RecoveryOptions {
  /** Only questions asked this recently are answered late; the askers of older ones are told to ask again. */
  windowMs: number;
  /** A pending claim not heartbeated for this long belongs to an instance that died. */
  staleMs: number;
  /** How often this instance heartbeats its own claims and sweeps for stale ones. */
  intervalMs: number;
}

/**
 * Keeps this instance's claims fresh, and answers questions whose claimer died (SIGKILL, OOM, power loss)
 * before answering: at start and then every interval. Returns a function that stops it.
 */
export function startRecovery(
  deps: { store: ThreadStore; handler: QuestionHandler; contexts: ContextRegistry; logger: Logger },
  options: RecoveryOptions,
): { sweep(): Promise<number>; stop(): void } {
  const { store, handler, contexts, logger } = deps;

  async function sweep(): Promise<number> {
    const now = Date.now();
    const ids = handler.claimedIds();
    if (ids.length > 0) await store.touch(ids);
    // Every pending claim, however long ago its claimer died: the too-old ones still get a word to their asker.
    const stale = await store.takeStale(options.staleMs);
    let resumed = 0;
    for (const claim of stale) {
      const message = parsePayload(claim.payload);
      const askedAt = message ? Number(message.ts) * 1000 : 0;
      const context = message && contexts.forChannel(message.channel, message.channelType === 'im');
      if (!message || !context) {
        // An empty payload is a refusal's claim (see onEvent): nothing to answer.
        const reason = message ? 'no context' : claim.payload === '' ? 'declined' : 'unreadable';
        logger.warn('unanswered question given up', { id: claim.id, reason });
        await store.complete(claim.id);
        continue;
      }
      if (askedAt < now - options.windowMs) {
        logger.warn('unanswered question given up', { id: claim.id, reason: 'too old' });
        await handler.giveUp(message);
        continue;
      }
      logger.info('answering a question left unanswered', { channel: message.channel, ts: message.ts });
      await handler.resume(message, context);
      resumed++;
    }
    return resumed;
  }

  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    sweep()
      .catch((err: unknown) => logger.warn('recovery sweep failed', { error: describe(err) }))
      .finally(() => {
        running = false;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}

function parsePayload(payload: string): IncomingMessage | undefined {
  try {
    const value = JSON.parse(payload) as IncomingMessage;
    return typeof value?.channel === 'string' && typeof value.ts === 'string' && typeof value.text === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
