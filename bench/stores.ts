import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createClient } from 'redis';

/** A store the bot is benchmarked on, and how to remove what the run left in it. */
export interface BenchStore {
  name: 'memory' | 'sqlite' | 'redis' | 'postgres';
  /** A fresh STORE_URL for each bot (so no run sees another's threads). */
  url(): string;
  cleanup(): Promise<void>;
}

const REDIS = 'redis://127.0.0.1:6379';
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export function memoryStore(): BenchStore {
  return { name: 'memory', url: () => 'memory://', cleanup: async () => {} };
}

export function sqliteStore(): BenchStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-sqlite-'));
  let n = 0;
  return {
    name: 'sqlite',
    url: () => `sqlite://${path.join(dir, `threads-${n++}.db`)}`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Redis on 127.0.0.1:6379 with a key prefix unique to this run, or undefined when no server answers. */
export async function redisStore(): Promise<BenchStore | undefined> {
  const client = createClient({ url: REDIS, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  const prefix = `bench:${runId}:`;
  let n = 0;
  return {
    name: 'redis',
    url: () => `${REDIS}?prefix=${prefix}${n++}:`,
    cleanup: async () => {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.del(keys);
      }
      await client.close();
    },
  };
}

/** PostgreSQL on 127.0.0.1:5432 (database `test`) with schemas unique to this run, or undefined when unreachable. */
export async function postgresStore(): Promise<BenchStore | undefined> {
  const client = new Client({ connectionString: POSTGRES, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  const schemas: string[] = [];
  return {
    name: 'postgres',
    url: () => {
      const schema = `bench_${runId}_${schemas.length}`;
      schemas.push(schema);
      return `${POSTGRES}?schema=${schema}`;
    },
    cleanup: async () => {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
