/** Handing a thread to a person: one post in the escalation channel, one reply in the thread, once per thread. */
import type { Backoff } from '../answering/backoff';
import { CLAIM_RETRIES, decideClaim, LocalClaims } from '../answering/claim-decision';
import { describe } from '../answering/describe-error';
import { StoreHealth } from '../answering/store-health';
import { ALREADY_HANDED_OFF, HANDING_OFF, handedOff, handoffMessage, NO_ESCALATION } from '../answering/wording';
import type { Context } from '../conversation/context';
import type { Turn } from '../conversation/turn';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { SideWriter } from '../slack/side-writes';
import type { ChannelKind, DeskBook } from '../store/desk-book';
import { OutageNotice } from '../store/outage-notice';
import type { ClaimBook, ThreadHistory } from '../store/thread-store';
import type { DeskWriter } from './desk-writes';
import { summarise } from './summary';
import { sendWebhook } from './webhook';

/** Someone asked for a person in a thread. */
export interface HandoffRequest {
  team: string;
  channel: string;
  threadTs: string;
  /** Who asked. */
  user: string;
  context: Context;
  channelKind: ChannelKind;
  /** The message that asked, when it was written (not for a button). */
  latest?: string;
  via: 'button' | 'phrase';
}

/** How a request ended: posted, already done in this thread, or no escalation channel (told where to get help). */
export type HandoffResult = 'handed-off' | 'already' | 'no-channel';

export interface HandoffDeps {
  book: DeskBook;
  claims: Pick<ClaimBook, 'claim' | 'reclaim' | 'complete'>;
  history: Pick<ThreadHistory, 'load'>;
  writer: DeskWriter;
  side: SideWriter;
  llm: Llm;
  logger: Logger;
  retentionMs: number;
  /** Reads the variable named by `escalation.webhook_env`. */
  webhookUrl(name: string): string | undefined;
  /** Pause before the webhook's first retry (tests shorten it). */
  webhookPauseMs?: number;
  /** Judges whether the store is down or only slow; share the question handler's, so both judge from all claims. */
  storeHealth?: StoreHealth;
  /** How an undecided claim is asked again (tests shorten it). */
  claimRetries?: Backoff;
}

export function createHandoff(deps: HandoffDeps) {
  const { logger } = deps;
  const health = deps.storeHealth ?? new StoreHealth();
  const undecided = new OutageNotice(logger, 'could not claim a handoff yet; asking the store again');
  // With the store down, a person must still be reachable: this process alone remembers its handoffs.
  const local = new LocalClaims();

  /**
   * Whether this is the thread's first request for a person, across instances. A claim that timed out may have
   * landed (and another instance may be asking too): it is asked again until the store decides, so the escalation
   * channel never gets the thread twice from a slow store; only a store that is down is left out.
   */
  async function firstRequest(id: string, expiresAt: number): Promise<boolean> {
    const judge = { health, retry: deps.claimRetries ?? CLAIM_RETRIES, undecided };
    const decision = await decideClaim(deps.claims, { id, payload: '', expiresAt }, judge);
    if (decision.decided) {
      // Done at once: left pending, the claim looked like a question a dead instance never answered, and a recovery
      // sweep took it up half a minute later with a warning. Completed, it still refuses the thread's later requests.
      if (decision.won) await completed(id);
      return decision.won;
    }
    const error = describe(decision.error);
    if (decision.why === 'store down') logger.warn('store unreachable: handing off without memory', { error });
    else logger.error('could not claim a handoff; handing off anyway', { id, error });
    return local.take(id, expiresAt);
  }

  async function completed(id: string): Promise<void> {
    await deps.claims.complete(id).catch((err: unknown) => {
      logger.warn('could not mark the handoff claim done', { error: describe(err) });
    });
  }

  async function turnsOf(key: string): Promise<Turn[]> {
    return deps.history.load(key).catch((err: unknown) => {
      logger.warn('could not load the thread for the handoff summary', { error: describe(err) });
      return [];
    });
  }

  return async function handOff(request: HandoffRequest): Promise<HandoffResult> {
    const { team, channel, threadTs, context } = request;
    const place = { team, channel, threadTs };
    const escalation = context.desk.escalation;
    if (!escalation?.channel) {
      await deps.side.post(place, escalation?.help ?? NO_ESCALATION);
      logger.info('handoff asked where no escalation channel is set', { channel, context: context.name });
      return 'no-channel';
    }
    // Deciding (asking a slow store again) and summarising take seconds: the asker sees the bot at work meanwhile.
    // Awaited, so that it is set before the reply below, which clears it.
    await deps.side.status(place, HANDING_OFF);
    const key = `${team}:${channel}:${threadTs}`;
    const expiresAt = Date.now() + deps.retentionMs;
    if (!(await firstRequest(`handoff:${key}`, expiresAt))) {
      await deps.side.post(place, ALREADY_HANDED_OFF);
      logger.info('handoff asked again in the same thread', { channel, threadTs });
      return 'already';
    }
    const about = { context: context.name, channelKind: request.channelKind };
    await deps.book.markThread(key, 'handedOff', about, expiresAt).catch((err: unknown) => {
      logger.warn('could not record the handoff', { error: describe(err) });
    });
    const [link, turns] = await Promise.all([deps.writer.permalink(channel, threadTs), turnsOf(key)]);
    const summary = await summarise(deps.llm, { turns, asker: request.user, latest: request.latest ?? '' }, logger);
    const text = handoffMessage({
      mention: escalation.mention,
      asker: request.user,
      context: context.name,
      link,
      summary,
    });
    const posted = await deps.writer.announce(team, escalation.channel, text);
    // Not posted (the bot is not in the channel, Slack is down): the asker is told where to get help instead.
    await deps.side.post(
      place,
      posted ? handedOff(escalation.mention ?? `<#${escalation.channel}>`) : (escalation.help ?? NO_ESCALATION),
    );
    logger.info('handed off to a person', { channel, threadTs, via: request.via, posted: posted !== undefined });
    const url = escalation.webhookEnv ? deps.webhookUrl(escalation.webhookEnv) : undefined;
    if (escalation.webhookEnv && !url)
      logger.warn('handoff webhook variable is not set', { name: escalation.webhookEnv });
    if (url) {
      const payload = { type: 'handoff' as const, context: context.name, team, channel, thread_ts: threadTs };
      await sendWebhook(
        url,
        { ...payload, asker: request.user, permalink: link, summary, at: new Date().toISOString() },
        logger,
        deps.webhookPauseMs,
      );
    }
    return 'handed-off';
  };
}

export type HandOff = ReturnType<typeof createHandoff>;
