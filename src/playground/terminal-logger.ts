/** A Logger for the playground commands: warnings and errors as short lines on stderr, nothing else. */
import type { Logger } from '../logger';
import { redactSecrets } from '../secrets';

function details(meta: Record<string, unknown> | undefined): string {
  if (!meta || Object.keys(meta).length === 0) return '';
  return ` ${redactSecrets(JSON.stringify(meta, (_key, value) => (value instanceof Error ? value.message : value)))}`;
}

/** Writes `warning: …` and `error: …` lines to `out`; debug and info stay quiet, they are the bot's chatter. */
export function terminalLogger(out: { write(text: string): unknown }): Logger {
  const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    out.write(`${level}: ${message}${details(meta)}\n`);
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}
