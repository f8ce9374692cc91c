import { StoreError } from '../errors';
import type { StoreOptions } from './store-options';
import { redactStoreUrl as redact } from './store-url';
import type { ThreadStore } from './thread-store';

/**
 * Opens the thread store named by `url` (STORE_URL):
 * `memory://`; `sqlite:///abs/path.db`, `sqlite://relative/path.db`, `sqlite:relative.db`;
 * `redis://…` / `rediss://…` (`?prefix=` sets the key prefix, default `ssb:`);
 * `postgres://…` / `postgresql://…` (`?schema=` sets the schema holding the tables, default `public`).
 * Only the chosen backend's driver is loaded.
 */
export async function createStore(url: string, options: StoreOptions = {}): Promise<ThreadStore> {
  try {
    return await open(parseScheme(url), url, options);
  } catch (cause) {
    // Whatever failed, the message names the setting to fix: backends word their errors without it.
    if (cause instanceof StoreError && cause.message.includes('STORE_URL')) throw cause;
    const reason = cause instanceof StoreError ? cause.message : `${redact(url)}: ${(cause as Error).message}`;
    throw new StoreError(`STORE_URL is not usable: ${reason}`, { cause });
  }
}

async function open(scheme: Scheme, url: string, options: StoreOptions): Promise<ThreadStore> {
  switch (scheme) {
    case 'memory': {
      const { MemoryStore } = await import('./memory-store');
      return new MemoryStore();
    }
    case 'sqlite': {
      const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
      if (!path) throw new StoreError('STORE_URL sqlite: needs a file path, e.g. sqlite:data/bot.db');
      const { SqliteStore } = await import('./sqlite-store');
      return SqliteStore.create(path, options);
    }
    case 'redis':
    case 'rediss': {
      const { RedisStore } = await import('./redis-store');
      return RedisStore.create(url, options);
    }
    case 'postgres':
    case 'postgresql': {
      const { PostgresStore } = await import('./postgres-store');
      return PostgresStore.create(url, options);
    }
    default:
      return assertNever(scheme);
  }
}

const SCHEMES = ['memory', 'sqlite', 'redis', 'rediss', 'postgres', 'postgresql'] as const;
type Scheme = (typeof SCHEMES)[number];

function parseScheme(url: string): Scheme {
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (SCHEMES.includes(scheme as Scheme)) return scheme as Scheme;
  throw new StoreError(
    `STORE_URL has an unsupported scheme: "${redact(url)}" (use memory://, sqlite:, redis(s)://, postgres(ql)://)`,
  );
}

function assertNever(scheme: never): never {
  throw new StoreError(`STORE_URL scheme not handled: ${String(scheme)}`);
}
