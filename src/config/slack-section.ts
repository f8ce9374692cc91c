import { httpUrl, int, MINUTE, type ParsedEnv, secret } from './env-parsers';

/** How the bot reaches Slack. */
export const slackConnectionFields = {
  SLACK_BOT_TOKEN: secret('SLACK_BOT_TOKEN', 'xoxb-', 'a bot token'),
  SLACK_APP_TOKEN: secret('SLACK_APP_TOKEN', 'xapp-', 'an app-level token'),
  SLACK_API_URL: httpUrl('SLACK_API_URL').default('https://slack.com/api/'),
  SLACK_PING_TIMEOUT_MS: int('SLACK_PING_TIMEOUT_MS', 5_000, 100, 60_000),
};

/** How often a streamed answer is written to Slack. */
export const slackStreamingFields = {
  STREAM_APPEND_INTERVAL_MS: int('STREAM_APPEND_INTERVAL_MS', 1_500, 100, 60_000),
};

/** How much the bot may write to Slack. */
export const slackBudgetFields = {
  SLACK_POSTS_PER_MINUTE: int('SLACK_POSTS_PER_MINUTE', 300, 1, 10_000),
  SLACK_BUDGET_CEILING_PERCENT: int('SLACK_BUDGET_CEILING_PERCENT', 100, 100, 1_000),
  SLACK_BUDGET_GROW_AFTER_SECONDS: int('SLACK_BUDGET_GROW_AFTER_SECONDS', 600, 1, 86_400),
};

/** The Slack part of the Config. */
export interface SlackConfig {
  slack: { botToken: string; appToken: string; apiUrl: string; pingTimeoutMs: number };
  streaming: { appendIntervalMs: number };
  /**
   * The Slack write allowance per workspace: chat.postMessage calls a minute (Slack: "several hundred"), and how
   * allowances learn (a 429 shrinks one; quiet spells grow it back, up to `ceilingFactor` × Slack's documented tier).
   */
  slackBudget: {
    posts: { limit: number; windowMs: number };
    learning: { ceilingFactor: number; growAfterMs: number };
  };
}

export function slackConfigOf(
  e: ParsedEnv<typeof slackConnectionFields & typeof slackStreamingFields & typeof slackBudgetFields>,
): SlackConfig {
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      pingTimeoutMs: e.SLACK_PING_TIMEOUT_MS,
    },
    streaming: { appendIntervalMs: e.STREAM_APPEND_INTERVAL_MS },
    slackBudget: {
      posts: { limit: e.SLACK_POSTS_PER_MINUTE, windowMs: MINUTE },
      learning: {
        ceilingFactor: e.SLACK_BUDGET_CEILING_PERCENT / 100,
        growAfterMs: e.SLACK_BUDGET_GROW_AFTER_SECONDS * 1000,
      },
    },
  };
}
