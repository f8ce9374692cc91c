import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import type { LogFormat } from './logger';

/** Everything the bot reads from the environment, typed and defaulted. */
export interface Config {
  slack: { botToken: string; appToken: string; apiUrl: string; pingTimeoutMs: number };
  openai: {
    apiKey: string;
    baseUrl: string | undefined;
    model: string;
    api: 'responses' | 'chat';
    timeoutMs: number;
    maxRetries: number;
    idleTimeoutMs: number;
    maxOutputTokens: number | undefined;
  };
  storeUrl: string;
  contextsDir: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** JSON lines (the default under NODE_ENV=production) or readable text. */
  logFormat: LogFormat;
  /** The health/readiness/metrics server: `port` undefined keeps it off. */
  http: { port: number | undefined; host: string };
  /** The operator's model price table (JSON, USD per 1M tokens), over the built-in estimates. */
  modelPricesFile: string | undefined;
  history: { retentionMs: number; tokenBudget: number };
  /**
   * How long a message claim blocks a second answer (≥ 10 minutes: Slack retries for ~5), and how long a question
   * accepted by an instance that then died is remembered: its asker is told even after a day-long outage.
   */
  claimTtlMs: number;
  /** Questions accepted but never answered (the process died) are answered later if this recent. */
  recovery: { windowMs: number; staleMs: number; intervalMs: number };
  /** Upper bound for one answer, model and Slack included. */
  answerTimeoutMs: number;
  shutdownTimeoutMs: number;
  access: { allowExternalUsers: boolean; dmMembersOnly: boolean };
  streaming: { appendIntervalMs: number };
  /** Load limits: per person (in this instance), and model calls at once (the rest wait their turn). */
  limits: { perUser: { maxInFlight: number; maxPerMinute: number }; modelConcurrency: number };
  /**
   * Daily model-token budgets, counted in the store and reset at `resetUtcHour`: per person (0 = none), per context
   * and per workspace (undefined = none).
   */
  budgets: {
    userDaily: number;
    contextDaily: number | undefined;
    workspaceDaily: number | undefined;
    resetUtcHour: number;
  };
  /** Slack user ids of the desk admins (DESK_ADMINS): exempt from the daily budgets. */
  deskAdmins: string[];
  /** The support desk: where a context's handoff webhook URL is read. */
  desk: {
    /** Reads the variable a context's `escalation.webhook_env` names (from the same environment as the rest). */
    webhookUrl(name: string): string | undefined;
  };
  /**
   * The Slack write allowance per workspace: chat.postMessage calls a minute (Slack: "several hundred"), and how
   * allowances learn (a 429 shrinks one; quiet spells grow it back, up to `ceilingFactor` × Slack's documented tier).
   */
  slackBudget: {
    posts: { limit: number; windowMs: number };
    learning: { ceilingFactor: number; growAfterMs: number };
  };
  /** Attachments: whether images go to the model, and the caps on what is downloaded and inlined. */
  files: {
    vision: boolean;
    maxFileBytes: number;
    maxFilesPerMessage: number;
    maxImagesPerRequest: number;
    textTokenBudget: number;
  };
  /** Knowledge folders: tokens of excerpts per question, the embedding model (hybrid search) and its cache. */
  knowledge: { tokenBudget: number; embeddingModel: string | undefined; cacheDir: string };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const DEFAULT_MODEL = 'gpt-5.4-mini';
/**
 * Output tokens an answer may use unless OPENAI_MAX_OUTPUT_TOKENS says otherwise (0 = no cap). Reasoning models count
 * their reasoning here too, so this leaves room for it beside a long Slack answer (~1,500 tokens).
 */
const DEFAULT_MAX_OUTPUT_TOKENS = 8_000;
/** Where thread history lives when STORE_URL is unset. */
export const DEFAULT_STORE_URL = 'sqlite://data/threads.db';

const secret = (name: string, prefix: string, kind: string) =>
  z
    .string({ error: `${name} is required (${kind} starting with ${prefix})` })
    .trim()
    .refine((v) => v.startsWith(prefix), `${name} must be ${kind} starting with ${prefix}`);

const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `${name} must be an http(s) URL`);

const int = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
      return z.NEVER;
    });

/** An optional TCP port; 0 asks the system for a free one. */
const port = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65_535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a port number from 0 to 65535` });
        return z.NEVER;
      }
      return n;
    });

const STORE_SCHEMES = ['memory:', 'sqlite:', 'redis:', 'rediss:', 'postgres:', 'postgresql:'];

/** The settings the model client, the contexts and the prompt need: no Slack, no store. */
const modelFields = {
  OPENAI_API_KEY: z
    .string({ error: 'OPENAI_API_KEY is required (any non-empty value for servers that need no key)' })
    .trim()
    .min(1, 'OPENAI_API_KEY must not be empty'),
  OPENAI_BASE_URL: httpUrl('OPENAI_BASE_URL').optional(),
  OPENAI_MODEL: z.string().trim().min(1, 'OPENAI_MODEL must not be empty').default(DEFAULT_MODEL),
  OPENAI_API: z.enum(['responses', 'chat'], { error: 'OPENAI_API must be responses or chat' }).default('responses'),
  OPENAI_TIMEOUT_MS: int('OPENAI_TIMEOUT_MS', 30_000, 1_000, 600_000),
  OPENAI_MAX_RETRIES: int('OPENAI_MAX_RETRIES', 2, 0, 10),
  OPENAI_IDLE_TIMEOUT_MS: int('OPENAI_IDLE_TIMEOUT_MS', 30_000, 100, 600_000),
  OPENAI_MAX_OUTPUT_TOKENS: int('OPENAI_MAX_OUTPUT_TOKENS', DEFAULT_MAX_OUTPUT_TOKENS, 0, 1_000_000),
  CONTEXTS_DIR: z.string().trim().min(1).default('contexts'),
  HISTORY_TOKEN_BUDGET: int('HISTORY_TOKEN_BUDGET', 12_000, 500, 1_000_000),
  KNOWLEDGE_TOKEN_BUDGET: int('KNOWLEDGE_TOKEN_BUDGET', 3_000, 200, 100_000),
  OPENAI_EMBEDDING_MODEL: z.string().trim().optional(),
  KNOWLEDGE_CACHE_DIR: z.string().trim().min(1).default('data/knowledge-cache'),
};

const modelSchema = z.object(modelFields);

const schema = z.object({
  SLACK_BOT_TOKEN: secret('SLACK_BOT_TOKEN', 'xoxb-', 'a bot token'),
  SLACK_APP_TOKEN: secret('SLACK_APP_TOKEN', 'xapp-', 'an app-level token'),
  SLACK_API_URL: httpUrl('SLACK_API_URL').default('https://slack.com/api/'),
  SLACK_PING_TIMEOUT_MS: int('SLACK_PING_TIMEOUT_MS', 5_000, 100, 60_000),
  ...modelFields,
  STORE_URL: z
    .string()
    .trim()
    .refine((v) => STORE_SCHEMES.some((s) => v.startsWith(s)), {
      message: `STORE_URL must start with one of ${STORE_SCHEMES.join(' ')} (e.g. sqlite://data/threads.db)`,
    })
    .default(DEFAULT_STORE_URL),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'info', 'debug'], { error: 'LOG_LEVEL must be error, warn, info or debug' })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'text'], { error: 'LOG_FORMAT must be json or text' }).optional(),
  HTTP_PORT: port('HTTP_PORT'),
  HTTP_HOST: z
    .string()
    .trim()
    .regex(/^[\w.:[\]-]+$/, 'HTTP_HOST must be a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  MODEL_PRICES_FILE: z.string().trim().optional(),
  HISTORY_RETENTION_DAYS: int('HISTORY_RETENTION_DAYS', 30, 1, 3650),
  RECOVERY_WINDOW_MINUTES: int('RECOVERY_WINDOW_MINUTES', 10, 0, 24 * 60),
  RECOVERY_STALE_SECONDS: int('RECOVERY_STALE_SECONDS', 30, 1, 3600),
  ANSWER_TIMEOUT_MS: int('ANSWER_TIMEOUT_MS', 180_000, 1_000, 3_600_000),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
  ALLOW_EXTERNAL_USERS: bool('ALLOW_EXTERNAL_USERS', false),
  DM_MEMBERS_ONLY: bool('DM_MEMBERS_ONLY', false),
  STREAM_APPEND_INTERVAL_MS: int('STREAM_APPEND_INTERVAL_MS', 1_500, 100, 60_000),
  USER_MAX_IN_FLIGHT: int('USER_MAX_IN_FLIGHT', 3, 1, 1_000),
  USER_MAX_PER_MINUTE: int('USER_MAX_PER_MINUTE', 10, 1, 10_000),
  MODEL_MAX_CONCURRENCY: int('MODEL_MAX_CONCURRENCY', 256, 1, 10_000),
  SLACK_POSTS_PER_MINUTE: int('SLACK_POSTS_PER_MINUTE', 300, 1, 10_000),
  SLACK_BUDGET_CEILING_PERCENT: int('SLACK_BUDGET_CEILING_PERCENT', 100, 100, 1_000),
  SLACK_BUDGET_GROW_AFTER_SECONDS: int('SLACK_BUDGET_GROW_AFTER_SECONDS', 600, 1, 86_400),
  OPENAI_VISION: bool('OPENAI_VISION', true),
  MAX_FILE_MB: int('MAX_FILE_MB', 20, 1, 50),
  MAX_FILES_PER_MESSAGE: int('MAX_FILES_PER_MESSAGE', 10, 0, 50),
  MAX_IMAGES_PER_REQUEST: int('MAX_IMAGES_PER_REQUEST', 8, 0, 50),
  FILE_TEXT_TOKEN_BUDGET: int('FILE_TEXT_TOKEN_BUDGET', 8_000, 0, 200_000),
  USER_DAILY_TOKENS: int('USER_DAILY_TOKENS', 200_000, 0, 1_000_000_000),
  CONTEXT_DAILY_TOKENS: int('CONTEXT_DAILY_TOKENS', 0, 0, 1_000_000_000_000),
  WORKSPACE_DAILY_TOKENS: int('WORKSPACE_DAILY_TOKENS', 0, 0, 1_000_000_000_000),
  BUDGET_RESET_UTC_HOUR: int('BUDGET_RESET_UTC_HOUR', 0, 0, 23),
  DESK_ADMINS: z
    .string()
    .trim()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .refine(
      (ids) => ids.every((id) => /^[UW][A-Z0-9]+$/.test(id)),
      'DESK_ADMINS must be Slack user ids separated by commas, e.g. U0123ABCD,U0456EFGH',
    ),
});

/** What the model-only tools (the chat playground, evals) need: the bot's settings without Slack or a store. */
export type ModelConfig = Pick<Config, 'openai' | 'contextsDir' | 'knowledge'> & {
  history: Pick<Config['history'], 'tokenBudget'>;
};

function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

function modelConfigOf(e: z.infer<typeof modelSchema>, cwd: string): ModelConfig {
  return {
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      api: e.OPENAI_API,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      maxRetries: e.OPENAI_MAX_RETRIES,
      idleTimeoutMs: e.OPENAI_IDLE_TIMEOUT_MS,
      maxOutputTokens: e.OPENAI_MAX_OUTPUT_TOKENS || undefined,
    },
    contextsDir: path.resolve(cwd, e.CONTEXTS_DIR),
    history: { tokenBudget: e.HISTORY_TOKEN_BUDGET },
    knowledge: {
      tokenBudget: e.KNOWLEDGE_TOKEN_BUDGET,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL || undefined,
      cacheDir: path.resolve(cwd, e.KNOWLEDGE_CACHE_DIR),
    },
  };
}

/** Reads only the model, contexts and prompt settings (no Slack tokens needed); throws one ConfigError. */
export function loadModelConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ModelConfig {
  const parsed = modelSchema.safeParse(present(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  return modelConfigOf(parsed.data, cwd);
}

/** Reads the environment; throws one ConfigError listing every problem (never echoing a secret's value). */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(present(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const e = parsed.data;
  const recoveryWindowMs = e.RECOVERY_WINDOW_MINUTES * MINUTE;
  const model = modelConfigOf(e, cwd);
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      pingTimeoutMs: e.SLACK_PING_TIMEOUT_MS,
    },
    openai: model.openai,
    storeUrl: e.STORE_URL,
    contextsDir: model.contextsDir,
    logLevel: e.LOG_LEVEL,
    history: { retentionMs: e.HISTORY_RETENTION_DAYS * DAY, tokenBudget: model.history.tokenBudget },
    logFormat: e.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'text'),
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST },
    modelPricesFile: e.MODEL_PRICES_FILE ? path.resolve(cwd, e.MODEL_PRICES_FILE) : undefined,
    claimTtlMs: Math.max(DAY, 2 * recoveryWindowMs),
    recovery: {
      windowMs: recoveryWindowMs,
      staleMs: e.RECOVERY_STALE_SECONDS * 1000,
      intervalMs: Math.max(250, Math.floor((e.RECOVERY_STALE_SECONDS * 1000) / 3)),
    },
    answerTimeoutMs: e.ANSWER_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    access: { allowExternalUsers: e.ALLOW_EXTERNAL_USERS, dmMembersOnly: e.DM_MEMBERS_ONLY },
    streaming: { appendIntervalMs: e.STREAM_APPEND_INTERVAL_MS },
    desk: { webhookUrl: (name) => env[name]?.trim() || undefined },
    limits: {
      perUser: { maxInFlight: e.USER_MAX_IN_FLIGHT, maxPerMinute: e.USER_MAX_PER_MINUTE },
      modelConcurrency: e.MODEL_MAX_CONCURRENCY,
    },
    budgets: {
      userDaily: e.USER_DAILY_TOKENS,
      contextDaily: e.CONTEXT_DAILY_TOKENS || undefined,
      workspaceDaily: e.WORKSPACE_DAILY_TOKENS || undefined,
      resetUtcHour: e.BUDGET_RESET_UTC_HOUR,
    },
    deskAdmins: e.DESK_ADMINS,
    slackBudget: {
      posts: { limit: e.SLACK_POSTS_PER_MINUTE, windowMs: MINUTE },
      learning: {
        ceilingFactor: e.SLACK_BUDGET_CEILING_PERCENT / 100,
        growAfterMs: e.SLACK_BUDGET_GROW_AFTER_SECONDS * 1000,
      },
    },
    files: {
      vision: e.OPENAI_VISION,
      maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
      maxFilesPerMessage: e.MAX_FILES_PER_MESSAGE,
      maxImagesPerRequest: e.MAX_IMAGES_PER_REQUEST,
      textTokenBudget: e.FILE_TEXT_TOKEN_BUDGET,
    },
    knowledge: model.knowledge,
  };
}
