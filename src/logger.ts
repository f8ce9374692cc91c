import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import winston from 'winston';
import { redactSecrets } from './secrets';

/** Where every part of the bot writes its lines. Meta never carries message text or tokens above `debug`. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/** The process's logger: the interface above, plus the level checks Bolt's adapter needs. */
export type AppLogger = winston.Logger;

/** Past this depth a log field is replaced whole rather than walked (a cycle, or a huge nested payload). */
const MAX_DEPTH = 6;

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactSecrets(value.message),
      stack: value.stack && redactSecrets(value.stack),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, depth + 1);
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    (info as Record<string, unknown>)[key] = redactDeep(info[key]);
  }
  return info;
});

/** `json`: one JSON object per line, for log shippers. `text`: one readable line, `time level message key=value…`. */
export type LogFormat = 'json' | 'text';

/** A field's value in a text line: bare when that stays unambiguous, else JSON-quoted. */
function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

const textLine = winston.format.printf((info) => {
  const { timestamp, level, message, ...fields } = info as Record<string, unknown>;
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${textValue(value)}`);
  // One event, one line: a multi-line message (a stack) keeps its line breaks escaped.
  const text = String(message).replace(/\r?\n/g, '\\n');
  return [timestamp, String(level).toUpperCase().padEnd(5), text, ...pairs].join(' ');
});

/** One process-wide logger on stdout (or `stream`), every field redacted, in the given format (JSON by default). */
export function createLogger(level: string, stream?: NodeJS.WritableStream, format: LogFormat = 'json'): AppLogger {
  const transport = stream
    ? new winston.transports.Stream({ stream })
    : new winston.transports.Console({ stderrLevels: [] });
  // winston formats a line before its transports drop it by level: drop it first, so that the debug lines on the
  // answering path cost next to nothing at info.
  const enabled = winston.format((info) => logger.isLevelEnabled(info.level) && info);
  const logger: AppLogger = winston.createLogger({
    level,
    format: winston.format.combine(
      enabled(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactFormat(),
      format === 'json' ? winston.format.json() : textLine,
    ),
    transports: [transport],
  });
  return skipDisabledLevels(logger);
}

/**
 * winston pushes every line through its stream before the format above drops it: ~10 µs for each debug line, a few
 * per question on the answering path. A level that is off now returns at once; the answer is kept until the level
 * changes. `isLevelEnabled` keeps its answers too: the Slack clients ask it for each of their debug lines (several per
 * Web API call), and winston's own allocates on every call.
 */
function skipDisabledLevels(logger: AppLogger): AppLogger {
  let level = logger.level;
  const enabled = new Map<string, boolean>();
  const asked = logger.isLevelEnabled.bind(logger);
  const isOn = (name: string): boolean => {
    if (logger.level !== level) {
      level = logger.level;
      enabled.clear();
    }
    let on = enabled.get(name);
    if (on === undefined) {
      on = asked(name);
      enabled.set(name, on);
    }
    return on;
  };
  logger.isLevelEnabled = isOn;
  for (const name of ['debug', 'info'] as const) {
    const write = logger[name].bind(logger) as (...args: unknown[]) => AppLogger;
    logger[name] = ((...args: unknown[]) => (isOn(name) ? write(...args) : logger)) as AppLogger[typeof name];
  }
  return logger;
}

const BOLT_LEVELS: Record<string, LogLevel> = {
  error: LogLevel.ERROR,
  warn: LogLevel.WARN,
  info: LogLevel.INFO,
  debug: LogLevel.DEBUG,
};

/** Adapts the winston logger to @slack/logger's interface so Bolt, Web API and Socket Mode log through it. */
export function toSlackLogger(logger: AppLogger): SlackLogger {
  let name = 'slack';
  const write =
    (level: string) =>
    (...msgs: unknown[]) => {
      // The Web API and Socket Mode clients log every request at debug: skip the redacting unless it is kept.
      if (!logger.isLevelEnabled(level)) return;
      logger.log(level, msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(redactDeep(m)))).join(' '), {
        component: name,
      });
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () => BOLT_LEVELS[logger.level] ?? LogLevel.INFO,
    setName: (next: string) => {
      name = next;
    },
  };
}
