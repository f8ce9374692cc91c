import { App, SocketModeReceiver, webApi } from '@slack/bolt';
import { createQuestionHandler, type QuestionHandler } from './answering/question-handler';
import { type Recovery, startRecovery } from './answering/recovery';
import type { Config } from './config';
import type { ContextRegistry } from './conversation/context';
import { loadContexts } from './conversation/context-registry';
import { registerListeners } from './listeners';
import { createOpenAiLlm } from './llm/openai-llm';
import { type AppLogger, createLogger, type Logger, toSlackLogger } from './logger';
import { FEEDBACK_BLOCKS } from './slack/feedback';
import { MemberDirectory } from './slack/member-directory';
import { createReplyStreamer } from './slack/reply-stream';
import { withSafeText } from './slack/safe-text';
import { createSideWriter, type SideWriter } from './slack/side-writes';
import { ackUnprocessable, guardSocketMessages } from './slack/socket-guard';
import { DEFAULT_WRITE_LIMITS, WriteBudget } from './slack/write-budget';
import { capacityLeasesOf } from './store/capacity-leases';
import { createStore } from './store/create-store';
import type { ThreadStore } from './store/thread-store';

/** A running support bot: its parts, and how to start and stop it. */
export interface Bot {
  app: App;
  store: ThreadStore;
  contexts: ContextRegistry;
  handler: QuestionHandler;
  /** Status lines, notices and deletions inside the write budget, on a client whose 429s never pause the answers. */
  sideWriter: SideWriter;
  logger: Logger;
  botUserId: string;
  start(): Promise<void>;
  /** Stops taking events, lets answers under way finish (up to the shutdown timeout), closes the store. */
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

/** What a caller may hand the composition root instead of what it would build itself. */
export interface BotOptions {
  logger?: AppLogger;
  /** Wraps the store every part of the bot uses (the benchmark times store calls this way). */
  wrapStore?: (store: ThreadStore) => ThreadStore;
}

/** The composition root: builds every dependency from the config and wires them. */
export async function createBot(config: Config, options: BotOptions = {}): Promise<Bot> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const slackLogger = toSlackLogger(logger);
  const contexts = await loadContexts(config.contextsDir, logger);
  let store: ThreadStore | undefined;
  try {
    const opened = await createStore(config.storeUrl, { logger });
    // Instances sharing a store share each workspace's Slack allowance through it.
    const leases = capacityLeasesOf(opened);
    store = options.wrapStore ? options.wrapStore(opened) : opened;
    const auth = await identifyBot(config, slackLogger);
    const receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger: slackLogger,
      clientPingTimeout: config.slack.pingTimeoutMs,
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
      processEventErrorHandler: ackUnprocessable(logger),
    });
    guardSocketMessages(receiver, logger);
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
    const budget = new WriteBudget({
      limits: { 'chat.postMessage': { ...DEFAULT_WRITE_LIMITS['chat.postMessage'], team: config.slackBudget.posts } },
      learning: config.slackBudget.learning,
      leases,
      logger,
    });
    // Every budgeted write goes through a client of its own that hands 429s back instead of retrying them: WebClient
    // pauses its whole queue on a 429, and one method's Retry-After must hold back only that method (the budget's job).
    const writeClient = new webApi.WebClient(config.slack.botToken, {
      slackApiUrl: config.slack.apiUrl,
      logger: slackLogger,
      retryConfig: SLACK_RETRIES,
      rejectRateLimitedCalls: true,
    });
    const streamer = withSafeText(
      createReplyStreamer({
        client: writeClient,
        budget,
        logger,
        options: { minAppendIntervalMs: config.streaming.appendIntervalMs },
      }),
    );
    const sideWriter = createSideWriter({ client: writeClient, budget, logger });
    const llm = createOpenAiLlm({
      apiKey: config.openai.apiKey,
      baseURL: config.openai.baseUrl,
      model: config.openai.model,
      api: config.openai.api,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      idleTimeoutMs: config.openai.idleTimeoutMs,
      maxOutputTokens: config.openai.maxOutputTokens,
    });
    const handler = createQuestionHandler({
      config,
      logger,
      store,
      llm,
      contexts,
      streamer,
      side: sideWriter,
      slack: app.client,
      botUserId: auth.user_id,
      members: new MemberDirectory(app.client),
      answerBlocks: FEEDBACK_BLOCKS,
    });
    registerListeners(app, { handler, contexts, logger });
    const openStore = store;
    let recovery: Recovery | undefined;
    return {
      app,
      store,
      contexts,
      handler,
      sideWriter,
      logger,
      botUserId: auth.user_id,
      start: async () => {
        await app.start();
        recovery = startRecovery({ store: openStore, handler, logger }, config.recovery);
        logger.info('support bot connected', {
          team: auth.team_id,
          bot: auth.user_id,
          contexts: contexts.all().length,
        });
      },
      stop: async () => {
        await app.stop().catch((err: unknown) => logger.warn('socket close failed', { error: String(err) }));
        // Questions of other instances are left to them while this one drains; its own claims keep their heartbeat.
        recovery?.stopTakeovers();
        const unfinished = await handler.drain(config.shutdownTimeoutMs);
        recovery?.stop();
        handler.close();
        if (unfinished > 0) logger.warn('stopping with answers unfinished', { unfinished });
        contexts.close();
        await llm.close().catch(() => undefined);
        await openStore.close();
      },
    };
  } catch (err) {
    contexts.close();
    await store?.close().catch(() => undefined);
    throw err;
  }
}
