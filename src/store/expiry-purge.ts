import type { StoreOptions } from './store-options';

// Each backend enforces expiry on read; this sweep only reclaims the space that expired rows still take.

/** How often expired entries are swept, so a long-running process does not keep dead threads around. */
export const PURGE_EVERY_MS = 60_000;

/** The SQL tables that hold an `expires_at` column. */
const EXPIRING_TABLES = ['threads', 'claims', 'leases', 'waiters'] as const;

/** One DELETE per table of rows expired by `now` (an SQL expression or placeholder); `schema` prefixes tables. */
export function purgeStatements(now: string, schema?: string): string[] {
  const table = (name: string) => (schema ? `${schema}.${name}` : name);
  return EXPIRING_TABLES.map((name) => `DELETE FROM ${table(name)} WHERE expires_at <= ${now}`);
}

/** Runs `purge` every PURGE_EVERY_MS without holding the process open; a failure is logged, never thrown. */
export function startPurge(
  backend: string,
  purge: () => Promise<unknown> | unknown,
  options: StoreOptions,
): NodeJS.Timeout {
  const warn = (cause: unknown) =>
    options.logger?.warn(`${backend} store: purging expired rows failed`, { error: String(cause) });
  return setInterval(() => {
    try {
      Promise.resolve(purge()).catch(warn);
    } catch (cause) {
      warn(cause);
    }
  }, PURGE_EVERY_MS).unref();
}
