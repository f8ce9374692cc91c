/** Builds the support desk from the bot's parts: used by the composition root. */
import type { StoreHealth } from '../answering/store-health';
import type { RepliesReader } from '../answering/thread-history';
import type { Config } from '../config';
import type { ContextRegistry } from '../conversation/context';
import type { DeskListenerDeps } from '../listeners';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { PriceTable } from '../ops/prices';
import type { SideWriter } from '../slack/side-writes';
import type { ThreadStore } from '../store/thread-store';
import { createDesk, type Desk } from './desk';
import { createDeskWriter, type DeskClient } from './desk-writes';

export interface DeskParts {
  config: Pick<Config, 'history' | 'desk' | 'deskAdmins' | 'openai'>;
  store: ThreadStore;
  llm: Llm;
  contexts: ContextRegistry;
  side: SideWriter;
  /** A WebClient whose 429s do not pause the answers (the side writes' own). */
  client: unknown;
  slack: RepliesReader;
  logger: Logger;
  botUserId: string;
  prices: PriceTable;
  /** Shared with the question handler: handoffs fall back to this process only once the store counts as down. */
  storeHealth: StoreHealth;
}

/** The desk, and what its listeners need. */
export function buildDesk(parts: DeskParts): { desk: Desk; listeners: DeskListenerDeps } {
  const { config, store, logger } = parts;
  const writer = createDeskWriter({ client: parts.client as DeskClient, side: parts.side, logger });
  const desk = createDesk({
    book: store.desk,
    claims: store,
    history: store,
    writer,
    side: parts.side,
    llm: parts.llm,
    logger,
    retentionMs: config.history.retentionMs,
    webhookUrl: config.desk.webhookUrl,
    storeHealth: parts.storeHealth,
    contexts: parts.contexts,
    model: config.openai.model,
  });
  const home = {
    book: store.desk,
    writer,
    admins: config.deskAdmins,
    prices: parts.prices,
    model: config.openai.model,
  };
  return { desk, listeners: { desk, home, slack: parts.slack, history: store, botUserId: parts.botUserId } };
}
