import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { createClient } from 'redis';

/** The real servers the tests share (see README, Tests); never stopped by a test. */
export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;

/** A place of its own in a shared server for one test run: a STORE_URL, and a way to remove it afterwards. */
export interface Scratch {
  /** STORE_URL for the scratch area, reached on `port` (the server's own, or a proxy's in front of it). */
  url(port?: number): string;
  /** Deletes everything stored under the scratch area (through the server's own port). */
  drop(): Promise<void>;
}

const runId = () => randomUUID().slice(0, 8);

/** A Redis key prefix no other run uses. */
export function redisScratch(label: string, serverPort = REDIS_PORT): Scratch {
  const prefix = `${label}-${runId()}:`;
  return {
    url: (port = serverPort) => `redis://127.0.0.1:${port}?prefix=${prefix}`,
    drop: async () => {
      const client = await createClient({ url: `redis://127.0.0.1:${serverPort}` }).connect();
      try {
        for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          if (keys.length > 0) await client.del(keys);
        }
      } finally {
        await client.close();
      }
    },
  };
}

/** A PostgreSQL schema no other run uses, in database `test`. */
export function postgresScratch(label: string): Scratch {
  const schema = `${label}_${runId()}`;
  return {
    url: (port = POSTGRES_PORT) => `postgres://postgres@127.0.0.1:${port}/test?schema=${schema}`,
    drop: async () => {
      const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test` });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A loopback port free right now. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A throwaway redis-server (no persistence) on its own port, that a test may kill and start again. */
export class ThrowawayRedis {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.start();
    return redis;
  }

  /** Starts the server (again, after kill) on the same port; resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', `${this.port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    // The log keeps flowing (and is drained) after the ready line, so the server never blocks on a full pipe.
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', () => reject(new Error(`redis-server did not start: ${output}`)));
    });
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) the server: connections stay open but nothing answers, as on a hung host. */
  freeze(frozen: boolean): void {
    this.#child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Kills the server at once (SIGKILL), as a crash or a lost host would; its data is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
