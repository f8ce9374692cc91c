import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Bot, createBot } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { scratchDir } from '../helpers/scratch-dir';

export const BOT_TOKEN = 'xoxb-111-222-secretbottoken';
export const APP_TOKEN = 'xapp-1-A111-333-secretapptoken';
export const OPENAI_KEY = 'sk-test-secretopenaikey0123';

/** Contexts written for e2e tests: a default one, and an HR one that claims C_HR with reply: all. */
export function writeContexts(extra: Record<string, string> = {}): string {
  const dir = scratchDir('contexts');
  writeFileSync(
    path.join(dir, 'default.md'),
    '---\nname: IT support\n---\nLaptops are MacBooks managed by Jamf. The VPN client is GlobalProtect.\n',
  );
  writeFileSync(
    path.join(dir, 'hr.md'),
    '---\nname: HR\nchannels: [C0HR]\nreply: all\nconfidential: true\n---\nHolidays: 25 days a year. Payroll runs on the 25th.\n',
  );
  for (const [file, text] of Object.entries(extra)) writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Every log line the bot wrote, as parsed JSON, plus the raw text. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface Harness {
  slack: FakeSlack;
  openai: FakeOpenAI;
  bot: Bot;
  logs: LogCapture;
  env: Record<string, string>;
  /** Starts another bot on the same fakes and environment (a restart, or a second instance). */
  startBot(env?: Record<string, string>): Promise<{ bot: Bot; logs: LogCapture }>;
  close(): Promise<void>;
}

/**
 * The bot's environment for a run against these fakes: tokens of the right shapes, both fakes' URLs, no SDK retries,
 * the memory store, fresh contexts, a short append interval and JSON logs; `extra` overrides any of it.
 */
export function botEnv(
  slack: FakeSlack,
  openai: FakeOpenAI,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    SLACK_API_URL: slack.apiUrl,
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MAX_RETRIES: '0',
    STORE_URL: 'memory://',
    CONTEXTS_DIR: writeContexts(),
    STREAM_APPEND_INTERVAL_MS: '200',
    // Suites script many questions from one person; the per-person limits have tests of their own (answer-guards.test.ts).
    USER_MAX_IN_FLIGHT: '1000',
    USER_MAX_PER_MINUTE: '10000',
    // Bot processes' lines are parsed as JSON (the default only under NODE_ENV=production).
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** Starts fake Slack, fake OpenAI and the real bot wired to them through its ordinary configuration. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const slack = await startFakeSlack();
  const openai = await startFakeOpenAI();
  const baseEnv = botEnv(slack, openai, { LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_MS: '5000', ...env });
  const bots: Bot[] = [];
  const startBot = async (overrides: Record<string, string> = {}) => {
    const logs = new LogCapture();
    const config = loadConfig({ ...baseEnv, ...overrides });
    const bot = await createBot(config, { logger: createLogger(config.logLevel, logs) });
    await bot.start();
    bots.push(bot);
    return { bot, logs };
  };
  const first = await startBot();
  return {
    slack,
    openai,
    bot: first.bot,
    logs: first.logs,
    env: baseEnv,
    startBot,
    close: async () => {
      for (const bot of bots) await bot.stop().catch(() => undefined);
      await slack.close();
      await openai.close();
    },
  };
}
