/** Runs eval cases through the playground engine, concurrently, and checks each answer. */
import type { Context, ContextRegistry } from '../conversation/context';
import { countTokens } from '../conversation/tokens';
import { LlmError } from '../errors';
import type { Llm } from '../llm/llm';
import { type Answer, ChatSession, type Retrieve, type Source } from './chat-session';
import type { EvalCase } from './eval-file';
import { judgeAnswer } from './judge';

/** What a case is run with: the Slack app's engine pieces, plus the judge's model. */
export interface EvalDeps {
  llm: Llm;
  judge: Llm;
  contexts: ContextRegistry;
  tokenBudget: number;
  retrieveFor?: (context: Context) => Retrieve | undefined;
}

/** A case to run, with the file and context it belongs to. */
export interface EvalJob {
  file: string;
  context: Context;
  case: EvalCase;
}

/** One run of one case. */
export interface CaseRun {
  pass: boolean;
  /** Each failed check, in words: `must_include 'x' missing`, the judge's reason… */
  failures: string[];
  tokens: { input: number; output: number; cached: number };
  latencyMs: number;
}

/** Every run of one case. A case passes when all its runs pass. */
export interface CaseResult {
  file: string;
  context: string;
  name: string;
  line: number;
  runs: CaseRun[];
  passed: boolean;
  passRate: number;
}

/** Whether a retrieved source is the document an eval names (its id, its file name or its title). */
function sourceMatches(source: Source, wanted: string): boolean {
  const w = wanted.toLowerCase();
  const id = source.docId.toLowerCase();
  return id === w || id.endsWith(`/${w}`) || source.title.toLowerCase() === w;
}

function checkText(answer: string, c: EvalCase): string[] {
  const lower = answer.toLowerCase();
  const failures: string[] = [];
  for (const s of c.mustInclude) if (!lower.includes(s.toLowerCase())) failures.push(`must_include '${s}' missing`);
  for (const s of c.mustNotInclude)
    if (lower.includes(s.toLowerCase())) failures.push(`must_not_include '${s}' present`);
  return failures;
}

function checkSources(session: ChatSession, answer: Answer, c: EvalCase): string[] {
  if (c.sources.length === 0) return [];
  if (!session.hasKnowledge()) return ['sources: no knowledge folder for this context'];
  return c.sources
    .filter((wanted) => !answer.sources.some((s) => sourceMatches(s, wanted)))
    .map((wanted) => `sources: '${wanted}' not retrieved`);
}

/** Runs one case once. */
export async function runCase(deps: EvalDeps, job: EvalJob, signal: AbortSignal): Promise<CaseRun> {
  const c = job.case;
  const history = c.history.map((t, i) => ({ role: t.role, text: t.text, ts: String(i), tokens: countTokens(t.text) }));
  const session = new ChatSession(
    { llm: deps.llm, contexts: deps.contexts, tokenBudget: deps.tokenBudget, retrieveFor: deps.retrieveFor },
    job.context,
    history,
  );
  const started = performance.now();
  let answer: Answer;
  try {
    answer = await session.ask(c.question, { signal });
  } catch (err) {
    const failure = err instanceof LlmError ? `model call failed (${err.kind})` : `answer failed: ${String(err)}`;
    const latencyMs = Math.round(performance.now() - started);
    return {
      pass: false,
      failures: [failure],
      tokens: { input: 0, output: 0, cached: 0 },
      latencyMs,
    };
  }
  const failures = [...checkText(answer.text, c), ...checkSources(session, answer, c)];
  if (c.rubric !== undefined) {
    const verdict = await judgeAnswer(
      deps.judge,
      { rubric: c.rubric, question: c.question, answer: answer.text },
      signal,
    );
    if (!verdict.pass) failures.push(`rubric: ${verdict.reason}`);
  }
  const usage = answer.usage;
  return {
    pass: failures.length === 0,
    failures,
    tokens: { input: usage?.inputTokens ?? 0, output: usage?.outputTokens ?? 0, cached: usage?.cachedTokens ?? 0 },
    latencyMs: answer.latencyMs,
  };
}

/** How to run a batch of cases. */
export interface RunOptions {
  concurrency: number;
  repeat: number;
  signal: AbortSignal;
  /** Called after each run finishes, with the runs done and whether this one passed. */
  onProgress?: (done: number, pass: boolean) => void;
}

/** Runs every job `repeat` times, at most `concurrency` at once; results keep the jobs' order. */
export async function runEvals(deps: EvalDeps, jobs: EvalJob[], options: RunOptions): Promise<CaseResult[]> {
  const runs: CaseRun[][] = jobs.map(() => []);
  const queue = jobs.flatMap((job, index) => Array.from({ length: options.repeat }, () => ({ job, index })));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < queue.length && !options.signal.aborted) {
      const { job, index } = queue[next++];
      const run = await runCase(deps, job, options.signal);
      runs[index].push(run);
      options.onProgress?.(++done, run.pass);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
  return jobs.map((job, i) => {
    const passes = runs[i].filter((run) => run.pass).length;
    return {
      file: job.file,
      context: job.context.name,
      name: job.case.name,
      line: job.case.line,
      runs: runs[i],
      passed: runs[i].length === options.repeat && passes === options.repeat,
      passRate: runs[i].length > 0 ? passes / runs[i].length : 0,
    };
  });
}
