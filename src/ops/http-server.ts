/** The operations HTTP server: liveness, readiness and Prometheus metrics. Read-only by design. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';

/** What readiness is made of; each part is injected so tests (and other hosts) can supply their own. */
export interface ReadinessChecks {
  /** The Socket Mode connection is up (Slack sent hello and the socket has not dropped since). */
  socketConnected(): boolean;
  /** The contexts were read and are being served. */
  contextsLoaded(): boolean;
  /** Resolves when the store answers; rejects (or never settles) when it does not. */
  pingStore(): Promise<void>;
  /** Shutting down: stop sending new work here. */
  draining(): boolean;
}

export interface OpsServerOptions {
  port: number;
  host: string;
  checks: ReadinessChecks;
  /** The Prometheus text exposition and its content type. */
  metrics: { text(): Promise<string>; readonly contentType: string };
  logger: Logger;
  /** How long a store ping may take before readiness says the store is down. */
  pingTimeoutMs?: number;
}

/** A listening ops server. */
export interface OpsServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** The paths the server answers; the deploy manifests' probes are checked against these. */
export const OPS_PATHS = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

const DEFAULT_PING_TIMEOUT_MS = 2_000;

/** Settles with `promise`, or rejects once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why the instance is not ready, or undefined when it is. The first failing check wins; draining comes first. */
export async function notReadyReason(checks: ReadinessChecks, pingTimeoutMs: number): Promise<string | undefined> {
  if (checks.draining()) return 'draining';
  if (!checks.socketConnected()) return 'socket not connected';
  if (!checks.contextsLoaded()) return 'contexts not loaded';
  try {
    await within(checks.pingStore(), pingTimeoutMs, 'store ping');
  } catch {
    return 'store not answering';
  }
  return undefined;
}

/** A store's readiness ping: its `ping` when it has one, else a cheap read of a key nobody writes. */
export async function pingStore(store: { ping?(): Promise<void>; load(key: string): Promise<unknown> }): Promise<void> {
  if (store.ping) await store.ping();
  else await store.load('ops:readyz:ping');
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Starts the server on `host:port`; resolves once it listens. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const known = Object.values(OPS_PATHS).some((p) => p === path);
    if (!known) return send(res, 404, '{"error":"not found"}\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, '{"error":"method not allowed"}\n');
    }
    if (path === OPS_PATHS.health) return send(res, 200, '{"status":"ok"}\n');
    if (path === OPS_PATHS.ready) {
      const reason = await notReadyReason(options.checks, pingTimeoutMs);
      if (reason) return send(res, 503, `${JSON.stringify({ status: 'not ready', reason })}\n`);
      return send(res, 200, '{"status":"ready"}\n');
    }
    return send(res, 200, await options.metrics.text(), options.metrics.contentType);
  };
  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      options.logger.error('ops endpoint failed', { path: req.url, error: String(err) });
      if (!res.headersSent) send(res, 500, '{"error":"internal"}\n');
      else res.destroy();
    });
  });
  // Probes open a connection per request: no reason to keep idle ones around on shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  options.logger.info('ops server listening', { host: options.host, port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
