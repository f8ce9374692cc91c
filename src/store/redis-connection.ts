/** The Redis store's connection: connecting (failing fast), reconnecting, a time limit per call, scripts by hash. */
import { createClient, type RedisClientType } from 'redis';
import { StoreError } from '../errors';
import type { Script } from './redis-scripts';
import type { StoreOptions } from './store-options';
import { redactStoreUrl } from './store-url';

// node-redis times a command out only until it is written; a server that stops answering needs our own limit.
const TIMEOUT_MS = 1500;

/**
 * Connects to `url` (its query is the store's, not the client's), failing fast (with StoreError) if Redis is
 * unreachable; later outages are retried forever.
 */
export async function connectRedis(url: string, options: StoreOptions): Promise<RedisClientType> {
  const parsed = new URL(url);
  parsed.search = '';
  let connected = false;
  let down = false;
  const client = createClient({
    url: parsed.toString(),
    disableOfflineQueue: true,
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: TIMEOUT_MS,
      // Until the first connection, give up at once so that create() reports an unreachable server.
      reconnectStrategy: (retries) => (connected ? Math.min(50 * 2 ** retries, 1000) : false),
    },
  });
  // Without an 'error' listener the client's reconnect errors would crash the process; log once per outage.
  client.on('error', (error: Error) => {
    if (connected && !down)
      options.logger?.warn('Redis store: connection lost, reconnecting', { error: error.message });
    down = connected;
  });
  client.on('ready', () => (down = false));
  try {
    await withTimeout(client.connect());
  } catch (cause) {
    client.destroy();
    throw new StoreError(`Redis store: cannot connect to ${redactStoreUrl(url)}: ${(cause as Error).message}`, {
      cause,
    });
  }
  connected = true;
  return client;
}

/** Runs one store call within the time limit; whatever goes wrong comes out as a StoreError. */
export async function callRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(operation());
  } catch (cause) {
    throw new StoreError(`Redis store: ${(cause as Error).message}`, { cause });
  }
}

/** Runs a script by its hash, sending its source only when the server answers that it has not seen it. */
export const scriptRunner =
  (client: RedisClientType) =>
  async ({ source, sha }: Script, keys: string[], args: string[]): Promise<unknown> => {
    try {
      return await client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!(error as Error).message?.startsWith('NOSCRIPT')) throw error;
      return client.eval(source, { keys, arguments: args });
    }
  };

/** Settles like `promise`, or rejects after TIMEOUT_MS if Redis (or the network) stopped answering. */
async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
