/** The Bolt app in Socket Mode and the Web API clients the bot writes with, built from the config. */
import { App, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../ops/metrics';
import { instrumentSlackClient, watchSocket } from '../ops/slack-metrics';
import { ackUnprocessable, guardSocketMessages } from './socket-guard';

type SlackLogger = ConstructorParameters<typeof SocketModeReceiver>[0]['logger'];

/** Web API retries (connection errors, 5xx, and 429s after their Retry-After): 0.2, 0.4, 0.8, 1.6, 3.2 s apart. */
const SLACK_RETRIES = { retries: 5, factor: 2, minTimeout: 200, maxTimeout: 5_000, randomize: false };

/** Asks Slack who the bot is, failing fast with a message that names the setting at fault. */
export async function identifyBot(config: Config, logger: SlackLogger) {
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

/** The Bolt app on Socket Mode, with every Web API call it makes counted, and whether its socket is up. */
export function createSlackApp(
  config: Config,
  deps: { logger: Logger; slackLogger: SlackLogger; metrics: Metrics; bot: { user_id: string; bot_id: string } },
) {
  const { logger, slackLogger, metrics } = deps;
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
    botId: deps.bot.bot_id,
    botUserId: deps.bot.user_id,
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
  // A client of its own for side writes: WebClient pauses its whole queue on a 429, and a side call's 429 must not
  // stall the answers streaming.
  const sideClient = new webApi.WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logger: slackLogger,
    retryConfig: SLACK_RETRIES,
    rejectRateLimitedCalls: true,
  });
  instrumentSlackClient(sideClient, metrics);
  return { app, sideClient, socketConnected };
}
