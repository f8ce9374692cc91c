/** Heartbeats this instance's claims, and takes over questions an instance that died had accepted. */
import type { IncomingMessage } from '../conversation/incoming';
import type { Logger } from '../logger';
import { OutageNotice } from '../store/outage-notice';
import type { ClaimBook } from '../store/thread-store';
import { describe } from './describe-error';
import type { QuestionHandler } from './question-handler';

/** How the recovery sweep finds questions a dead instance accepted but never answered. */
export interface RecoveryOptions {
  /** Only questions asked this recently are answered late; the askers of older ones are told to ask again. */
  windowMs: number;
  /** A pending claim not heartbeated for this long belongs to an instance that died. */
  staleMs: number;
  /** How often this instance heartbeats its own claims and sweeps for stale ones. */
  intervalMs: number;
}

/** The running heartbeat and sweep. */
export interface Recovery {
  /** Takes over stale claims once; resolves with how many questions it handed on to be answered. */
  sweep(): Promise<number>;
  /** Stops taking over other instances' questions (draining); heartbeats go on. */
  stopTakeovers(): void;
  /** Stops both timers. */
  stop(): void;
}

/**
 * Keeps this instance's claims fresh, and answers questions whose claimer died (SIGKILL, OOM, power loss) before
 * answering: at start and then every interval. The heartbeat has its own timer, and the sweep awaits only the store
 * (the answers and notices it starts run on their own), so a slow sweep after an outage never lets this instance's
 * claims go stale while their answers are still streaming.
 */
export function startRecovery(
  deps: {
    store: Pick<ClaimBook, 'touch' | 'takeStale' | 'complete'>;
    handler: Pick<QuestionHandler, 'claimedIds' | 'giveUp' | 'resume'>;
    logger: Logger;
  },
  options: RecoveryOptions,
): Recovery {
  const { store, handler, logger } = deps;
  let takingOver = true;

  async function sweep(): Promise<number> {
    if (!takingOver) return 0;
    // Its own claims look stale only if a heartbeat was late; they are being answered here. Read before the take, so
    // that one finishing meanwhile is not mistaken for another instance's.
    const own = new Set(handler.claimedIds());
    // Every pending claim, however long ago its claimer died: the too-old ones still get a word to their asker.
    const stale = await store.takeStale(options.staleMs);
    const now = Date.now();
    let resumed = 0;
    for (const claim of stale) {
      if (own.has(claim.id)) continue;
      const message = parsePayload(claim.payload);
      if (!message) {
        // An empty payload is a refusal's claim (see onEvent): nothing to answer.
        const reason = claim.payload === '' ? 'declined' : 'unreadable';
        logger.warn('unanswered question given up', { id: claim.id, reason });
        await store.complete(claim.id);
      } else if (Number(message.ts) * 1000 < now - options.windowMs) {
        logger.warn('unanswered question given up', { id: claim.id, reason: 'too old' });
        handler.giveUp(message);
      } else {
        logger.info('answering a question left unanswered', { channel: message.channel, ts: message.ts });
        handler.resume(message, claim.written);
        resumed++;
      }
    }
    return resumed;
  }

  // A store outage fails every heartbeat: one warning when they start failing, one line when they work again.
  const heartbeats = new OutageNotice(logger, 'heartbeat failed');
  const heartbeat = () => {
    const ids = handler.claimedIds();
    if (ids.length === 0) return;
    store.touch(ids).then(
      () => heartbeats.ok(),
      (err: unknown) => heartbeats.failed(err),
    );
  };
  let sweeping = false;
  const tick = () => {
    if (sweeping) return;
    sweeping = true;
    sweep()
      .catch((err: unknown) => logger.warn('recovery sweep failed', { error: describe(err) }))
      .finally(() => {
        sweeping = false;
      });
  };
  tick();
  const timers = [setInterval(heartbeat, options.intervalMs), setInterval(tick, options.intervalMs)];
  for (const timer of timers) timer.unref();
  return {
    sweep,
    stopTakeovers: () => {
      takingOver = false;
    },
    stop: () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
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
