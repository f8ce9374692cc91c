import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

// Two node processes (this project's Node 24) allocate the same burst, as a burst of questions does, then sit quiet
// with a timer ticking, as the bot does between questions. V8's --trace-gc tells when its memory reducer gave the
// memory back. With the nudge it does so within seconds; without it, on this V8, not before its 100 s watchdog.

/** The nudge module, compiled to a file a plain node process can require. */
function compiledNudge(dir: string): string {
  const source = readFileSync(path.join(__dirname, '../../src/ops/memory-reducer-nudge.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const file = path.join(dir, 'memory-reducer-nudge.js');
  writeFileSync(file, outputText);
  return file;
}

const burstThenQuiet = (nudgeFile: string | undefined) => `
  ${nudgeFile ? `require(${JSON.stringify(nudgeFile)}).nudgeMemoryReducer();` : ''}
  let kept = [];
  const end = Date.now() + 1500;
  while (Date.now() < end) {
    kept.push({ text: 'question '.repeat(8) + Math.random(), parts: [1, 2, 3] });
    if (kept.length > 200000) kept = [];
  }
  kept = null;
  console.log('BURST OVER');
  setInterval(() => {}, 2000);
`;

/**
 * A child running `script` from a file (as the bot runs: `node -e` would compile it as a vm.Script, which is the
 * nudge itself): resolves with ms from the end of its burst to its first memory-reducing GC.
 */
function watchReducer(dir: string, name: string, script: string) {
  const file = path.join(dir, `${name}.js`);
  writeFileSync(file, script);
  const child = spawn(process.execPath, ['--trace-gc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let burstOverAt: number | undefined;
  let buffered = '';
  const reduced = new Promise<number>((resolve) => {
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'BURST OVER') burstOverAt = performance.now();
        else if (burstOverAt !== undefined && line.includes('Mark-Compact (reduce)'))
          resolve(performance.now() - burstOverAt);
      }
    });
  });
  const stop = async () => {
    child.kill();
    await exited;
  };
  return { reduced, burstOver: () => burstOverAt, stop };
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('nudgeMemoryReducer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nudge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets V8 give memory back within seconds of a burst, which it does not do unaided', async () => {
    const nudged = watchReducer(dir, 'nudged', burstThenQuiet(compiledNudge(dir)));
    const unaided = watchReducer(dir, 'unaided', burstThenQuiet(undefined));
    try {
      const nudgedMs = await within(nudged.reduced, 40_000);
      if (nudgedMs === undefined) throw new Error('no memory-reducing GC within 40 s of the burst, nudged');
      // The reducer looks every 8 s: the unaided process gets one more look than the nudged one needed.
      const deadline = (unaided.burstOver() ?? performance.now()) + nudgedMs + 9_000;
      const unaidedMs = await within(unaided.reduced, Math.max(0, deadline - performance.now()));
      expect(unaidedMs).toBeUndefined();
    } finally {
      await Promise.all([nudged.stop(), unaided.stop()]);
    }
  }, 60_000);
});
