import { App, SocketModeReceiver, webApi } from '@slack/bolt';
import { createQuestionHandler, type QuestionHandler } from './answering/answer-question';
import { startRecovery } from './answering/recovery';
import type { Config } from './config';
import type { ContextRegistry } from './conversation/context';
import { loadContexts } from './conversation/context-registry';
import { registerListeners } from './listeners';
import { createOpenAiLlm } from './llm/openai-llm';
import { type AppLogger, createLogger, type Logger, toSlackLogger } from './logger';
import { type OpsServer, pingStore, type ReadinessChecks, startOpsServer } from './ops/http-server';
import { meterLlm } from './ops/metered-llm';
import { createMetrics, type Metrics } from './ops/metrics';
import { loadPrices } from './ops/prices';
import { instrumentSlackClient, watchSocket } from './ops/slack-metrics';
import { timeStore } from './ops/timed-store';
import { FEEDBACK_BLOCKS } from './slack/feedback';
import { MemberDirectory } from './slack/member-directory';
import { createReplyStreamer } from './slack/reply-stream';
import { withSafeText } from './slack/safe-text';
import { ackUnprocessable, guardSocketMessages } from './slack/socket-guard';
import { WriteBudget } from './slack/write-budget';
import { createStore } from './store/create-store';
import type { ThreadStore } from './store/thread-store';

/** A running support bot: its parts, and how to start and stop it. */
export interface Bot {
  app: App;
  store: ThreadStore;
  contexts: ContextRegistry;
  handler: QuestionHandler;
  logger: Logger;
  botUserId: string;
  /** This bot's metrics (served on /metrics when HTTP_PORT is set). */
  metrics: Metrics;
  /** The port the ops server listens on while started with HTTP_PORT set, else undefined. */
  httpPort(): number | undefined;
  start(): Promise<void>;
  /** Readiness turns 503 from now on (SIGTERM): the platform stops counting this instance as ready. */
  beginDraining(): void;
  /** Drains, stops taking events, lets answers under way finish (up to the shutdown timeout), closes the store. */
  stop(): Promise<void>;
}

/** Web API retries (connection errors, 5xx, and 429s after their Retry-After): 0.2, 0.4, 0.8, 1.6, 3.2 s apart. */
const SLACK_RETRIES = { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 5_000, randomize: false };

/** Asks Slack who the bot is, failing fast with a message that names the setting at fault. */
async function identifyBot(config: Config, logger: ReturnType<typeof toSlackLogger>) {
  const client = new webApi.WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logger,
    retryConfig: { retries: 2, factor: 1, minTimeout: 500, maxTimeout: 1000 },
  });
  try {
    const auth = await client.auth.test();
    if (auth.user_id && auth.bot_id) return { ...auth, user_id: auth.user_id, bot_id: auth.bot_id };
    throw new Error('auth.test returned no bot user: is SLACK_BOT_TOKEN a bot token?');
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code) throw new Error(`Slack refused SLACK_BOT_TOKEN (${code})`, { cause: err });
    throw new Error(`could not reach Slack at SLACK_API_URL (${config.slack.apiUrl})`, { cause: err });
  }
}

/** The composition root: builds every dependency from the config and wires them. */
export async function createBot(config: Config, options: { logger?: AppLogger } = {}): Promise<Bot> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const metrics = createMetrics({ prices: loadPrices(config.modelPricesFile) });
  const slackLogger = toSlackLogger(logger);
  const contexts = await loadContexts(config.contextsDir, logger);
  let rawStore: ThreadStore | undefined;
  try {
    rawStore = await createStore(config.storeUrl, { logger });
    const store = timeStore(rawStore, metrics.storeOp);
    const auth = await identifyBot(config, slackLogger);
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger: slackLogger,
      clientPingTimeout: config.slack.pingTimeoutMs,
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
      processEventErrorHandler: ackUnprocessable(logger),
    });
    guardSocketMessages(receiver, logger);
    const socketConnected = watchSocket(receiver, {
      onReconnect: metrics.socketReconnect,
      onState: (state) => metrics.socketConnected(state === 'connected'),
    });
    const app = new App({
      token: config.slack.botToken,
      receiver,
      botId: auth.bot_id,
      botUserId: auth.user_id,
      logger: slackLogger,
      // The SDK's default retries back off for up to half an hour, and add that back-off to a 429's Retry-After: an
      // answer under way would stall for seconds after each 429. A few quick retries keep it moving.
      clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: SLACK_RETRIES },
      convoStore: false,
    });
    instrumentSlackClient(app.client, metrics);
    // Listeners get a client of Bolt's pool (one per token), not app.client: count its calls too.
    app.use(async ({ client, next }) => {
      instrumentSlackClient(client, metrics);
      await next();
    });
    const streamer = withSafeText(
      createReplyStreamer({
        client: app.client,
        budget: new WriteBudget(),
        logger,
        options: { minAppendIntervalMs: config.streaming.appendIntervalMs },
      }),
    );
    const llm = meterLlm(
      createOpenAiLlm({
        apiKey: config.openai.apiKey,
        baseURL: config.openai.baseUrl,
        model: config.openai.model,
        api: config.openai.api,
        timeoutMs: config.openai.timeoutMs,
        maxRetries: config.openai.maxRetries,
        idleTimeoutMs: config.openai.idleTimeoutMs,
        maxOutputTokens: config.openai.maxOutputTokens,
      }),
      config.openai.model,
      metrics,
    );
    const handler = createQuestionHandler({
      config,
      logger,
      store,
      llm,
      contexts,
      streamer,
      slack: app.client,
      botUserId: auth.user_id,
      members: new MemberDirectory(app.client),
      answerBlocks: FEEDBACK_BLOCKS,
    });
    registerListeners(app, { handler, contexts, logger });
    const openStore = store;
    const pingableStore = rawStore;
    let recovery: ReturnType<typeof startRecovery> | undefined;
    let draining = false;
    let ops: OpsServer | undefined;
    const readiness: ReadinessChecks = {
      socketConnected,
      contextsLoaded: () => contexts.all().length > 0,
      pingStore: () => pingStore(pingableStore),
      draining: () => draining,
    };
    return {
      app,
      store,
      contexts,
      handler,
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
        recovery = startRecovery({ store: openStore, handler, contexts, logger }, config.recovery);
        logger.info('support bot connected', {
          team: auth.team_id,
          bot: auth.user_id,
          contexts: contexts.all().length,
        });
      },
      stop: async () => {
        draining = true;
        await app.stop().catch((err: unknown) => logger.warn('socket close failed', { error: String(err) }));
        const unfinished = await handler.drain(config.shutdownTimeoutMs);
        recovery?.stop();
        if (unfinished > 0) logger.warn('stopping with answers unfinished', { unfinished });
        contexts.close();
        await llm.close().catch(() => undefined);
        await openStore.close();
        await ops?.close();
      },
    };
  } catch (err) {
    contexts.close();
    await rawStore?.close().catch(() => undefined);
    throw err;
  }
}
