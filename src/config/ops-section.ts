import path from 'node:path';
import { z } from 'zod';
import type { LogFormat } from '../logger';
import { int, type ParsedEnv, port } from './env-parsers';

/** Logs, the health/metrics server and the price table: what an operator watches the bot with. */
export const opsFields = {
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
};

/** How long an answer, and a graceful shutdown, may take. */
export const timeoutFields = {
  ANSWER_TIMEOUT_MS: int('ANSWER_TIMEOUT_MS', 180_000, 1_000, 3_600_000),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
};

/** The operations part of the Config. */
export interface OpsConfig {
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** JSON lines (the default under NODE_ENV=production) or readable text. */
  logFormat: LogFormat;
  /** The health/readiness/metrics server: `port` undefined keeps it off. */
  http: { port: number | undefined; host: string };
  /** The operator's model price table (JSON, USD per 1M tokens), over the built-in estimates. */
  modelPricesFile: string | undefined;
  /** Upper bound for one answer, model and Slack included. */
  answerTimeoutMs: number;
  shutdownTimeoutMs: number;
}

export function opsConfigOf(
  e: ParsedEnv<typeof opsFields & typeof timeoutFields>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): OpsConfig {
  return {
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'text'),
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST },
    modelPricesFile: e.MODEL_PRICES_FILE ? path.resolve(cwd, e.MODEL_PRICES_FILE) : undefined,
    answerTimeoutMs: e.ANSWER_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
