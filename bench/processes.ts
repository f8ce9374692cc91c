import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { RateLimitMode } from '../tests/helpers/fake-slack/limits';
import type { BotHandlers } from './bot-process';
import type { FakesHandlers } from './fakes-process';
import { type Child, start } from './ipc';

/** Process-wide options from the command line. */
export interface RunOptions {
  contextsDir: string;
  /** Write a V8 CPU profile of every bot process into this directory (node --cpu-prof). */
  profileDir?: string;
  /** With profileDir: profile only the phases that ask for it (bench/phase-profile.ts), not the whole process. */
  phasesOnly?: boolean;
}

/** What the bot processes logged at warn and above, for the report's sanity check. */
export const botLog = { warn: 0, error: 0, samples: [] as string[] };

function noteLine(line: string): void {
  let level = 'unparsed';
  try {
    level = String((JSON.parse(line) as { level?: unknown }).level);
  } catch {}
  if (level === 'warn') botLog.warn++;
  else if (level === 'error' || level === 'unparsed') botLog.error++;
  else return;
  if (botLog.samples.length < 8) botLog.samples.push(line.slice(0, 300));
}

const TOKENS = {
  SLACK_BOT_TOKEN: 'xoxb-111-222-benchbottoken',
  SLACK_APP_TOKEN: 'xapp-1-A111-333-benchapptoken',
  OPENAI_API_KEY: 'sk-bench-openaikey0123',
};

export type Fakes = Child<FakesHandlers> & { apiUrl: string; baseURL: string };
export type Bot = Child<BotHandlers>;

/** Starts fake Slack + fake OpenAI in a child process. */
export async function startFakes(rateLimits: RateLimitMode = 'off'): Promise<Fakes> {
  const child = start<FakesHandlers>(path.join(__dirname, 'fakes-process.js'));
  await child.ready;
  const urls = await child.call.start({ rateLimits });
  return Object.assign(child, urls);
}

/** Starts the bot (`kind: 'bot'`, createBot) or the sayStream comparison bot against `fakes`, connected. */
export async function startBot(
  fakes: Fakes,
  options: RunOptions,
  settings: {
    kind?: 'bot' | 'sayStream';
    storeUrl?: string;
    logLevel?: string;
    /** Profile file name (with --profile). */
    label?: string;
    /** Extra node flags, e.g. V8 heap sizing. */
    nodeFlags?: string[];
    /** Extra environment for the bot, e.g. HTTP_PORT. */
    env?: Record<string, string>;
    /** Socket Mode connections the fake must hold before this returns (2 for the second of two instances). */
    connections?: number;
  } = {},
): Promise<Bot> {
  const kind = settings.kind ?? 'bot';
  const execArgv = ['--expose-gc', ...(settings.nodeFlags ?? [])];
  if (options.profileDir && !options.phasesOnly && kind === 'bot') {
    mkdirSync(options.profileDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${settings.label}.cpuprofile`);
  }
  const entry = kind === 'bot' ? 'bot-process.js' : 'say-stream-bot.js';
  const child = start<BotHandlers>(path.join(__dirname, entry), {
    execArgv,
    onLine: noteLine,
    env: {
      PATH: process.env.PATH ?? '',
      ...TOKENS,
      SLACK_API_URL: fakes.apiUrl,
      OPENAI_BASE_URL: fakes.baseURL,
      STORE_URL: settings.storeUrl ?? 'memory://',
      CONTEXTS_DIR: options.contextsDir,
      LOG_LEVEL: settings.logLevel ?? 'warn',
      LOG_FORMAT: 'json',
      ...settings.env,
    },
  });
  await child.ready;
  await fakes.call.connected(settings.connections ?? 1);
  return child;
}

/** Stops the bot, then the fakes; each process exits. */
export async function stopAll(bot: Bot, fakes: Fakes): Promise<void> {
  await bot.call.stop().catch(() => undefined);
  await bot.exited;
  await fakes.call.close().catch(() => undefined);
  await fakes.exited;
}
