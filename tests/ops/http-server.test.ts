import { request } from 'node:http';
import { type OpsServer, type ReadinessChecks, startOpsServer } from '../../src/ops/http-server';
import { createMetrics } from '../../src/ops/metrics';
import { recordingLogger } from '../helpers/recording-logger';
import { parsePromText, sampleValue } from './prom-text';

/** Readiness parts a test can flip. */
function switchableChecks() {
  const state = { socket: true, contexts: true, draining: false, store: 'up' as 'up' | 'down' | 'hangs' };
  const checks: ReadinessChecks = {
    socketConnected: () => state.socket,
    contextsLoaded: () => state.contexts,
    draining: () => state.draining,
    pingStore: () => {
      if (state.store === 'down') return Promise.reject(new Error('ECONNREFUSED'));
      if (state.store === 'hangs') return new Promise<void>(() => {});
      return Promise.resolve();
    },
  };
  return { state, checks };
}

/** Sends one request with any method over real HTTP; resolves with status, headers and body. */
function send(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the ops HTTP server', () => {
  let server: OpsServer;
  let state: ReturnType<typeof switchableChecks>['state'];
  const metrics = createMetrics({ defaultMetrics: true });

  beforeEach(async () => {
    const switchable = switchableChecks();
    state = switchable.state;
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      checks: switchable.checks,
      metrics,
      logger: recordingLogger(),
      pingTimeoutMs: 100,
    });
  });
  afterEach(() => server.close());

  it('answers /healthz with 200 while running, whatever readiness says', async () => {
    state.store = 'down';
    state.draining = true;
    const res = await send(server.port, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 while socket, contexts and store are all fine', async () => {
    const res = await send(server.port, '/readyz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ready' });
  });

  it.each([
    ['the store rejects its ping', () => (state.store = 'down'), 'store not answering'],
    ['the store ping never answers', () => (state.store = 'hangs'), 'store not answering'],
    ['the socket is down', () => (state.socket = false), 'socket not connected'],
    ['contexts are not loaded', () => (state.contexts = false), 'contexts not loaded'],
    ['draining has begun', () => (state.draining = true), 'draining'],
  ])('answers /readyz with 503 and a one-line JSON reason when %s, and 200 again after', async (_, fail, reason) => {
    fail();
    const res = await send(server.port, '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(res.body)).toEqual({ status: 'not ready', reason });
    Object.assign(state, { socket: true, contexts: true, draining: false, store: 'up' });
    expect((await send(server.port, '/readyz')).status).toBe(200);
  });

  it('says draining first: a draining instance is not ready whatever else holds', async () => {
    state.draining = true;
    state.store = 'down';
    expect(JSON.parse((await send(server.port, '/readyz')).body).reason).toBe('draining');
  });

  it('serves the metrics in the Prometheus text format, with the bot names and the process defaults', async () => {
    metrics.question('answered');
    const res = await send(server.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const samples = parsePromText(res.body);
    expect(sampleValue(samples, 'support_bot_questions_total', { outcome: 'answered' })).toBe(1);
    expect(sampleValue(samples, 'support_bot_questions_total', { outcome: 'failed' })).toBe(0);
    expect(samples.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'support_bot_answers_in_flight',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
      ]),
    );
  });

  it('answers unknown paths with 404', async () => {
    expect((await send(server.port, '/')).status).toBe(404);
    expect((await send(server.port, '/metrics/extra')).status).toBe(404);
  });

  it('answers other methods with 405 and changes nothing', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await send(server.port, '/readyz', method);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    expect((await send(server.port, '/readyz')).status).toBe(200);
  });

  it('reads the path without its query string', async () => {
    expect((await send(server.port, '/healthz?probe=1')).status).toBe(200);
  });
});

describe('starting the ops server', () => {
  it('fails to start, naming the address, when the port is taken', async () => {
    const first = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      checks: switchableChecks().checks,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: recordingLogger(),
    });
    try {
      await expect(
        startOpsServer({
          port: first.port,
          host: '127.0.0.1',
          checks: switchableChecks().checks,
          metrics: createMetrics({ defaultMetrics: false }),
          logger: recordingLogger(),
        }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
