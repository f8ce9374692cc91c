/** The one rule for where the bot token may go: Slack's own hosts, or the exact origin of SLACK_API_URL. */

const SLACK_DOMAINS = ['slack.com', 'slack-gov.com'];

/**
 * True when `url` may be fetched with the bot token: HTTPS on slack.com, slack-gov.com or a subdomain (default port),
 * or the same scheme, host and port as SLACK_API_URL (how tests and GovSlack work). Anything unparsable is false.
 */
export function mayCarryBotToken(url: string, slackApiUrl: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.username !== '' || target.password !== '') return false;
  if (sameOrigin(target, slackApiUrl)) return true;
  if (target.protocol !== 'https:' || target.port !== '') return false;
  const host = target.hostname.toLowerCase();
  return SLACK_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

function sameOrigin(target: URL, slackApiUrl: string): boolean {
  try {
    const api = new URL(slackApiUrl);
    return (target.protocol === 'https:' || target.protocol === 'http:') && target.origin === api.origin;
  } catch {
    return false;
  }
}

/** Only the host of a URL, for log lines: file URLs carry ids and names that do not belong in logs. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
