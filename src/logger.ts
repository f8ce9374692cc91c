import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import winston from 'winston';

export type Logger = winston.Logger;

// Slack bot/user/app tokens, OpenAI keys, and bearer headers; scrubbed from every line whatever the level.
const SECRET_PATTERNS: RegExp[] = [
  /xox[a-z]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /sk-[A-Za-z0-9_-]{8,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Replaces every token-shaped substring with a marker. */
export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, bearer?: string) =>
      typeof bearer === 'string' ? `${bearer}[redacted]` : `${match.slice(0, 4)}[redacted]`,
    );
  }
  return out;
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message), stack: value.stack && redact(value.stack) };
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

/** One process-wide logger: JSON lines on stdout, every field redacted. */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  const transport = stream
    ? new winston.transports.Stream({ stream })
    : new winston.transports.Console({ stderrLevels: [] });
  // winston formats a line before its transports drop it by level: drop it first, so that the debug lines on the
  // answering path cost next to nothing at info.
  const enabled = winston.format((info) => logger.isLevelEnabled(info.level) && info);
  const logger = winston.createLogger({
    level,
    format: winston.format.combine(
      enabled(),
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactFormat(),
      winston.format.json(),
    ),
    transports: [transport],
  });
  return logger;
}

const BOLT_LEVELS: Record<string, LogLevel> = {
  error: LogLevel.ERROR,
  warn: LogLevel.WARN,
  info: LogLevel.INFO,
  debug: LogLevel.DEBUG,
};

/** Adapts the winston logger to @slack/logger's interface so Bolt, Web API and Socket Mode log through it. */
export function toSlackLogger(logger: Logger): SlackLogger {
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
