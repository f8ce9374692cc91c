import type { App } from '@slack/bolt';
import { createQuestionHandler, type QuestionHandler } from './answering/question-handler';
import { type Recovery, startRecovery } from './answering/recovery';
import { StoreHealth } from './answering/store-health';
import type { Config } from './config';
import type { ContextRegistry } from './conversation/context';
import { loadContexts } from './conversation/context-registry';
import { answerBlocksFor } from './desk/answer-blocks';
import { buildDesk } from './desk/desk-wiring';
import { createAttachmentResources, DEFAULT_ATTACHMENT_CAPS } from './files/attachments';
import type { KnowledgeLibrary } from './knowledge/library';
import { openKnowledgeLibrary } from './knowledge/library-from-config';
import { registerListeners } from './listeners';
import { createOpenAiLlm } from './llm/openai-llm';
import { type AppLogger, createLogger, type Logger, toSlackLogger } from './logger';
import { type OpsServer, pingStore, type ReadinessChecks, startOpsServer } from './ops/http-server';
import { nudgeMemoryReducer } from './ops/memory-reducer-nudge';
import { meterLlm } from './ops/metered-llm';
import { createMetrics, type Metrics, NO_METRICS } from './ops/metrics';
import { loadPrices } from './ops/prices';
import { timeStore } from './ops/timed-store';
import { MemberDirectory } from './slack/member-directory';
import type { SideWriter } from './slack/side-writes';
import { createSlackApp, identifyBot } from './slack/slack-clients';
import { createSlackWriters } from './slack/slack-writers';
import { capacityLeasesOf } from './store/capacity-leases';
import { createStore } from './store/create-store';
import type { ThreadStore } from './store/thread-store';

/** A running support bot: its parts, and how to start and stop it. */
export interface Bot {
  app: App;
  store: ThreadStore;
  contexts: ContextRegistry;
  handler: QuestionHandler;
  /** The contexts' knowledge folders, each indexed once and followed as its files change. */
  knowledge: KnowledgeLibrary;
  /** Status lines, notices and deletions inside the write budget, on a client whose 429s never pause the answers. */
  sideWriter: SideWriter;
  logger: Logger;
  botUserId: string;
  /** This bot's metrics, served on /metrics when HTTP_PORT is set; counting nothing when it is not. */
  metrics: Metrics;
  /** The port the ops server listens on while started with HTTP_PORT set, else undefined. */
  httpPort(): number | undefined;
  start(): Promise<void>;
  /** Readiness turns 503 from now on (SIGTERM): the platform stops counting this instance as ready. */
  beginDraining(): void;
  /** Drains, stops taking events, lets answers under way finish (up to the shutdown timeout), closes the store. */
  stop(): Promise<void>;
}

/** What a caller may hand the composition root instead of what it would build itself. */
export interface BotOptions {
  logger?: AppLogger;
  /** Wraps the store every part of the bot uses (the benchmark times store calls this way). */
  wrapStore?: (store: ThreadStore) => ThreadStore;
}

/** The composition root: builds every dependency from the config and wires them. */
export async function createBot(config: Config, options: BotOptions = {}): Promise<Bot> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const prices = loadPrices(config.modelPricesFile);
  // Without an ops server nothing reads the metrics: counting them would only cost memory and CPU.
  const metrics = config.http.port === undefined ? NO_METRICS : createMetrics({ prices });
  const slackLogger = toSlackLogger(logger);
  const contexts = await loadContexts(config.contextsDir, logger);
  let rawStore: ThreadStore | undefined;
  try {
    rawStore = await createStore(config.storeUrl, { logger });
    const timed = timeStore(rawStore, metrics.storeOp);
    const store = options.wrapStore ? options.wrapStore(timed) : timed;
    const auth = await identifyBot(config, slackLogger);
    const { app, sideClient, socketConnected } = createSlackApp(config, { logger, slackLogger, metrics, bot: auth });
    // Instances sharing a store share each workspace's Slack allowance through it.
    const { streamer, sideWriter } = createSlackWriters(config, sideClient, capacityLeasesOf(rawStore), logger);
    const knowledge = openKnowledgeLibrary(config, logger);
    const llm = createOpenAiLlm({
      apiKey: config.openai.apiKey,
      baseURL: config.openai.baseUrl,
      model: config.openai.model,
      api: config.openai.api,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      idleTimeoutMs: config.openai.idleTimeoutMs,
      maxOutputTokens: config.openai.maxOutputTokens,
      vision: config.files.vision,
    });
    const meteredLlm = meterLlm(llm, config.openai.model, metrics);
    // Questions' claims and leases and the desk's handoffs judge together whether the store is down or only slow.
    const storeHealth = new StoreHealth();
    const desk = buildDesk({
      config,
      store,
      contexts,
      logger,
      prices,
      llm: meteredLlm,
      side: sideWriter,
      client: sideClient,
      slack: app.client,
      botUserId: auth.user_id,
      storeHealth,
    });
    // Images waiting for the model hold ~4× their size; 96 MB keeps 50 screenshots pasted at once under ~400 MB RSS.
    const attachments = createAttachmentResources({ imageMemoryBytes: 96 * 1024 * 1024 });
    const { vision, ...fileCaps } = config.files;
    const handler = createQuestionHandler({
      config,
      logger,
      store,
      llm: meteredLlm,
      contexts,
      streamer,
      side: sideWriter,
      slack: app.client,
      botUserId: auth.user_id,
      members: new MemberDirectory(app.client),
      answerBlocks: answerBlocksFor,
      desk: desk.desk,
      knowledge: { library: knowledge, tokenBudget: config.knowledge.tokenBudget },
      files: {
        botToken: config.slack.botToken,
        slackApiUrl: config.slack.apiUrl,
        filesInfo: async (file) => (await sideClient.files.info({ file })).file,
        caps: { ...DEFAULT_ATTACHMENT_CAPS, ...fileCaps },
        vision,
        logger,
        resources: attachments,
      },
      metrics,
      storeHealth,
    });
    registerListeners(app, { handler, contexts, side: sideWriter, logger, desk: desk.listeners });
    const pingable = rawStore;
    let recovery: Recovery | undefined;
    let draining = false;
    let ops: OpsServer | undefined;
    let stopNudging: (() => void) | undefined;
    const readiness: ReadinessChecks = {
      socketConnected,
      contextsLoaded: () => contexts.all().length > 0,
      pingStore: () => pingStore(pingable),
      draining: () => draining,
    };
    return {
      app,
      store,
      contexts,
      handler,
      knowledge,
      sideWriter,
      logger,
      botUserId: auth.user_id,
      metrics,
      httpPort: () => ops?.port,
      beginDraining: () => {
        draining = true;
      },
      start: async () => {
        // Before connecting, so that liveness answers while Socket Mode is still opening (readiness says why not).
        if (config.http.port !== undefined) {
          ops = await startOpsServer({ ...config.http, port: config.http.port, checks: readiness, metrics, logger });
        }
        await app.start().catch(async (err: unknown) => {
          await ops?.close();
          throw err;
        });
        recovery = startRecovery({ store, handler, logger }, config.recovery);
        stopNudging = nudgeMemoryReducer();
        desk.desk.checkEscalationChannels().catch(() => undefined);
        await knowledge.prepare(knowledgeFolders(contexts));
        logger.info('support bot connected', {
          team: auth.team_id,
          bot: auth.user_id,
          contexts: contexts.all().length,
        });
      },
      stop: async () => {
        draining = true;
        stopNudging?.();
        await app.stop().catch((err: unknown) => logger.warn('socket close failed', { error: String(err) }));
        // Questions of other instances are left to them while this one drains; its own claims keep their heartbeat.
        recovery?.stopTakeovers();
        const unfinished = await handler.drain(config.shutdownTimeoutMs);
        recovery?.stop();
        handler.close();
        if (unfinished > 0) logger.warn('stopping with answers unfinished', { unfinished });
        contexts.close();
        knowledge.close();
        await llm.close().catch(() => undefined);
        await attachments.agent.close().catch(() => undefined);
        await store.close();
        await ops?.close();
      },
    };
  } catch (err) {
    contexts.close();
    await rawStore?.close().catch(() => undefined);
    throw err;
  }
}

/** The folders the loaded contexts name. */
function knowledgeFolders(contexts: ContextRegistry): string[] {
  return contexts.all().flatMap((context) => (context.knowledge ? [context.knowledge] : []));
}
