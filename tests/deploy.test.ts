import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config';
import { OPS_PATHS, startOpsServer } from '../src/ops/http-server';
import { createMetrics } from '../src/ops/metrics';
import { recordingLogger } from './helpers/recording-logger';

const ROOT = path.join(__dirname, '..');
const K8S = path.join(ROOT, 'deploy', 'kubernetes');

/** A Dockerfile as instructions (continuations joined, comments dropped), grouped by stage. */
function dockerStages(): Array<Array<{ op: string; args: string }>> {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Array<Array<{ op: string; args: string }>> = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** `ENV A=1 B=2` instructions of a stage, as one record. */
function envOf(stage: Array<{ op: string; args: string }>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.filter((i) => i.op === 'ENV')) {
    for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key] = value;
  }
  return env;
}

type Manifest = { kind: string; metadata: { name: string }; [key: string]: unknown };
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
type Any = any;

function manifests(): Manifest[] {
  return readdirSync(K8S)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((doc) => doc.toJSON()));
}

const SECRETS = { SLACK_BOT_TOKEN: 'xoxb-1-a', SLACK_APP_TOKEN: 'xapp-1-a', OPENAI_API_KEY: 'sk-a' };

describe('the container image', () => {
  const stages = dockerStages();
  const runtime = stages.at(-1) ?? [];
  const one = (op: string) => runtime.filter((i) => i.op === op).at(-1)?.args ?? '';

  it('is multi-stage and runs on node:24-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(one('FROM')).toBe('node:24-slim');
  });

  it('starts the compiled entry point with node itself, the file the build writes', () => {
    expect(JSON.parse(one('CMD'))).toEqual(['node', 'dist/index.js']);
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    expect(existsSync(path.join(ROOT, 'src', 'index.ts'))).toBe(true);
  });

  it('runs as a non-root user', () => {
    expect(one('USER')).not.toMatch(/^(root|0)(:|$)/);
    expect(one('USER')).not.toBe('');
  });

  it('listens on all interfaces on the exposed port, and checks its health on /healthz with node', () => {
    const env = envOf(runtime);
    const config = loadConfig({ ...env, ...SECRETS });
    expect(config.http).toEqual({ host: '0.0.0.0', port: Number(one('EXPOSE')) });
    expect(one('HEALTHCHECK')).toMatch(/CMD \["node", "-e"/);
    expect(one('HEALTHCHECK')).toContain(`'${OPS_PATHS.health}'`);
    expect(one('HEALTHCHECK')).not.toMatch(/curl|wget/);
    expect(config.logFormat).toBe('json');
  });

  it("has a HEALTHCHECK that passes against the bot's ops server and fails when nothing answers", async () => {
    const hc = one('HEALTHCHECK');
    const [node, flag, script] = JSON.parse(hc.slice(hc.indexOf('CMD') + 3)) as string[];
    expect([node, flag]).toEqual(['node', '-e']);
    const run = (port: number) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, [flag, script], { env: { HTTP_PORT: String(port) } }, (err) =>
          resolve(err ? Number(err.code ?? 1) : 0),
        );
      });
    const checks = { socketConnected: () => false, contextsLoaded: () => false, draining: () => true };
    const server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      checks: { ...checks, pingStore: () => Promise.reject(new Error('down')) },
      metrics: createMetrics({ defaultMetrics: false }),
      logger: recordingLogger(),
    });
    const { port } = server;
    expect(await run(port)).toBe(0);
    await server.close();
    expect(await run(port)).toBe(1);
  });

  it('keeps the SQLite file on a volume', () => {
    const config = loadConfig({ ...envOf(runtime), ...SECRETS });
    const file = config.storeUrl.replace(/^sqlite:\/\//, '');
    expect(path.isAbsolute(file)).toBe(true);
    expect(JSON.parse(one('VOLUME'))).toContain(path.dirname(file));
  });

  it('has every file it copies from the build context left in by .dockerignore', () => {
    const rules = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    const ignored = (file: string) =>
      rules.reduce(
        (out, rule) =>
          rule.startsWith('!') ? out && !path.matchesGlob(file, rule.slice(1)) : out || path.matchesGlob(file, rule),
        false,
      );
    const sources = stages
      .flat()
      .filter((i) => i.op === 'COPY' && !i.args.includes('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['src', 'contexts', 'package-lock.json']));
    for (const source of [...sources, 'contexts/default.md', 'src/index.ts'])
      expect({ source, ignored: ignored(source) }).toEqual({ source, ignored: false });
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('.env')).toBe(true);
  });

  it('ships production dependencies only, without the npm `node` package (one Node in the image)', () => {
    const copies = runtime.filter((i) => i.op === 'COPY' && i.args.includes('node_modules'));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0].args)?.[1];
    const depsStage = stages.find((stage) => stage[0].args.endsWith(` AS ${from}`)) ?? [];
    const install = depsStage.find((i) => i.op === 'RUN' && i.args.includes('npm ci'))?.args ?? '';
    expect(install).toContain('--omit=dev');
    expect(install).toContain('--ignore-scripts');
    expect(install).toMatch(/rm -rf [^&]*node_modules\/node(\s|$)/);
    for (const stage of stages) {
      for (const { args } of stage.filter((i) => i.op === 'RUN' && i.args.includes('npm ci'))) {
        expect(args).toContain('--ignore-scripts');
      }
    }
  });
});

describe('the Kubernetes manifests', () => {
  const all = manifests();
  const deployment: Any = all.find((m) => m.kind === 'Deployment');
  const secret: Any = all.find((m) => m.kind === 'Secret');
  const configMap: Any = all.find((m) => m.kind === 'ConfigMap');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = {
    ...secret.stringData,
    ...Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value])),
  };
  const config = loadConfig(env);

  it('run two replicas on a shared Redis, with the tokens from the Secret', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(config.storeUrl).toMatch(/^rediss?:\/\//);
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']));
  });

  it("probe the server's own paths on the port it listens on", () => {
    const portNumber = (port: string | number) =>
      typeof port === 'number' ? port : container.ports.find((p: { name: string }) => p.name === port).containerPort;
    expect(container.readinessProbe.httpGet.path).toBe(OPS_PATHS.ready);
    expect(container.livenessProbe.httpGet.path).toBe(OPS_PATHS.health);
    expect(portNumber(container.readinessProbe.httpGet.port)).toBe(config.http.port);
    expect(portNumber(container.livenessProbe.httpGet.port)).toBe(config.http.port);
    expect(config.http.host).toBe('0.0.0.0');
    expect(Number(deployment.spec.template.metadata.annotations['prometheus.io/port'])).toBe(config.http.port);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/path']).toBe(OPS_PATHS.metrics);
  });

  it('give a stopping pod longer than the shutdown timeout, with room to close the socket and store', () => {
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(config.shutdownTimeoutMs + 10_000);
  });

  it('mount the contexts ConfigMap where CONTEXTS_DIR points', () => {
    const volume = pod.volumes.find((v: Any) => v.configMap?.name === configMap.metadata.name);
    const mount = container.volumeMounts.find((m: Any) => m.name === volume.name);
    expect(mount.mountPath).toBe(config.contextsDir);
    expect(Object.keys(configMap.data).some((key) => key.endsWith('.md'))).toBe(true);
  });

  it('run as non-root and are all listed in the kustomization', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    const listed = parseAllDocuments(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8'))[0].toJSON().resources;
    expect([...listed].sort()).toEqual(
      readdirSync(K8S)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });
});
