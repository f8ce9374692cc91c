/** `npm run eval`: reads the eval files, runs their cases against the contexts and reports; exit 0, 1 or 2. */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { ContextRegistry } from '../conversation/context';
import { EvalFileError } from '../errors';
import { contextNamed } from './context-by-name';
import { type EvalFile, readEvalFile } from './eval-file';
import { formatTable, toJson } from './eval-report';
import { type EvalDeps, type EvalJob, runEvals } from './eval-run';
import { describeStartupError, openPlayground } from './setup';

/** Where the eval writes: the table to `output`, progress and problems to `errors`. */
export interface EvalIo {
  output: { write(text: string): unknown };
  errors: NodeJS.WritableStream & { isTTY?: boolean };
}

const USAGE = 'usage: npm run eval -- [FILE…] [--concurrency N] [--repeat N] [--json OUT]\n';

interface EvalArgs {
  files: string[];
  concurrency: number;
  repeat: number;
  json?: string;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--${name} must be a whole number from 1 to 1000`);
  return n;
}

function readArgs(args: string[]): EvalArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { concurrency: { type: 'string' }, repeat: { type: 'string' }, json: { type: 'string' } },
  });
  return {
    files: positionals,
    concurrency: positive('concurrency', values.concurrency, 4),
    repeat: positive('repeat', values.repeat, 1),
    json: values.json,
  };
}

/** How a file is named in messages: relative to the working directory. */
function shown(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') ? relative : file;
}

async function evalFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => []);
  return names
    .filter((name) => /\.eval\.ya?ml$/i.test(name) && !/^[._]/.test(name))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Each file's cases paired with their context; an unknown context is a problem of the file. */
function jobsOf(files: EvalFile[], contexts: ContextRegistry): EvalJob[] {
  return files.flatMap((file) => {
    const context = contextNamed(contexts, file.context);
    if (!context) {
      const known = contexts
        .all()
        .map((c) => c.name)
        .join(', ');
      throw new EvalFileError(file.file, file.contextLine, 'context', `no context '${file.context}' (known: ${known})`);
    }
    return file.cases.map((c) => ({ file: file.file, context, case: c }));
  });
}

/** Runs the eval command; resolves with the exit code. `extra` adds engine hooks such as knowledge retrieval. */
export async function runEval(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: EvalIo,
  extra: Pick<EvalDeps, 'retrieveFor'> = {},
): Promise<number> {
  let options: EvalArgs;
  try {
    options = readArgs(args);
  } catch (err) {
    io.errors.write(`eval: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let playground: Awaited<ReturnType<typeof openPlayground>>;
  try {
    playground = await openPlayground(env, cwd, io.errors);
  } catch (err) {
    io.errors.write(describeStartupError('eval', err));
    return 2;
  }
  const { config, contexts, llm } = playground;
  try {
    const paths =
      options.files.length > 0 ? options.files.map((f) => path.resolve(cwd, f)) : await evalFilesIn(config.contextsDir);
    if (paths.length === 0) {
      io.errors.write(`eval: no eval files in ${shown(config.contextsDir, cwd)} (NAME.eval.yml beside NAME.md)\n`);
      return 2;
    }
    const files = await Promise.all(paths.map((p) => readEvalFile(p, shown(p, cwd))));
    const jobs = jobsOf(files, contexts);
    const judgeModel = env.EVAL_MODEL?.trim() || config.openai.model;
    const judge = judgeModel === config.openai.model ? llm : playground.llmFor(judgeModel);
    const deps: EvalDeps = { llm, judge, contexts, tokenBudget: config.history.tokenBudget, ...extra };
    const bar = new SingleBar({
      stream: io.errors,
      format: 'eval [{bar}] {value}/{total} runs, {failed} failed',
      hideCursor: true,
      clearOnComplete: true,
    });
    let failed = 0;
    bar.start(jobs.length * options.repeat, 0, { failed });
    const results = await runEvals(deps, jobs, {
      concurrency: options.concurrency,
      repeat: options.repeat,
      signal: new AbortController().signal,
      onProgress: (done, pass) => {
        if (!pass) failed++;
        bar.update(done, { failed });
      },
    });
    bar.stop();
    io.output.write(formatTable(results, options.repeat));
    if (options.json) {
      const report = toJson(results, { model: config.openai.model, judgeModel, repeat: options.repeat });
      await writeFile(path.resolve(cwd, options.json), `${JSON.stringify(report, null, 2)}\n`);
    }
    return results.every((r) => r.passed) ? 0 : 1;
  } catch (err) {
    io.errors.write(err instanceof EvalFileError ? `eval: ${err.message}\n` : describeStartupError('eval', err));
    return 2;
  } finally {
    await playground.close();
  }
}
