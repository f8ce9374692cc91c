/** Knowledge-folder bench: indexing speed and event-loop blocking, retrieval latency, memory, retrieval quality. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { countTokens } from '../src/conversation/tokens';
import { openKnowledgeBase } from '../src/knowledge/knowledge-base';
import type { Logger } from '../src/logger';
import { retrievalOverhead } from './knowledge-overhead';
import { percentile } from './stats';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const DOCUMENTS = 2000;
const SECTIONS_PER_DOCUMENT = 10;
const SECTION_WORDS = 100;
/** Where the generated corpus goes when only `corpus` is asked for (profiling). */
const KEEP = process.argv[2] === 'corpus';

/** A deterministic pseudo-random generator, so every run indexes the same corpus. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Real words, as in real guides: the example guides' vocabulary plus numbered product names, drawn with a Zipf-like
 * skew (a few words are everywhere, most are rare).
 */
function vocabulary(next: () => number): { word: () => string } {
  const guides = path.resolve('contexts/it-docs');
  const text = readdirSync(guides, { recursive: true })
    .map(String)
    .filter((name) => /\.(md|txt|html)$/.test(name))
    .map((name) => readFileSync(path.join(guides, name), 'utf8'))
    .join(' ');
  const common = [...new Set(text.toLowerCase().match(/[a-z]{2,}/g) ?? [])];
  // Rare words: compounds of two guide words ("printerbadge"), as product names and jargon are.
  const rare = Array.from(
    { length: 20_000 },
    (_, i) => `${common[i % common.length]}${common[(i * 7919) % common.length]}`,
  );
  const words = [...common.sort(() => next() - 0.5), ...rare];
  return { word: () => words[Math.floor(words.length * next() ** 3)] };
}

/** Writes DOCUMENTS markdown files of ~10 KB (about 20 MB in all) with headings, in 20 sub-folders. */
function writeCorpus(dir: string): number {
  const next = random(42);
  const { word } = vocabulary(next);
  let bytes = 0;
  for (let d = 0; d < DOCUMENTS; d++) {
    const lines = ['---', `title: Guide ${d} ${word()} ${word()}`, `url: https://intranet.example.com/${d}`, '---', ''];
    lines.push(`# Guide ${d}`, '');
    for (let s = 0; s < SECTIONS_PER_DOCUMENT; s++) {
      lines.push(`## ${word()} ${word()} ${s}`, '');
      for (let p = 0; p < 3; p++) {
        lines.push(`${Array.from({ length: SECTION_WORDS / 3 }, word).join(' ')}.`, '');
      }
    }
    const folder = path.join(dir, `team-${d % 20}`);
    mkdirSync(folder, { recursive: true });
    const text = lines.join('\n');
    bytes += Buffer.byteLength(text);
    writeFileSync(path.join(folder, `guide-${d}.md`), text);
  }
  return bytes;
}

/** The longest event-loop delay of this process while it does nothing: what the machine alone costs (load, GC). */
async function idleBaseline(ms: number): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  return delay.max / 1e6;
}

async function indexingAndRetrieval(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'knowledge-bench-'));
  try {
    const bytes = writeCorpus(dir);
    countTokens('warm the tokenizer up so its tables are not counted as index memory');
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const kb = await openKnowledgeBase({ dir, logger: quiet });
    const indexMs = performance.now() - started;
    const cpuUsed = process.cpuUsage(cpuStart);
    const indexCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
    delay.disable();
    global.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const passages = kb.passages();
    console.log(`indexing: ${kb.documents()} documents, ${(bytes / 1e6).toFixed(1)} MB, ${passages} passages`);
    console.log(
      `  time ${(indexMs / 1000).toFixed(2)} s wall, ${(indexCpuMs / 1000).toFixed(2)} s CPU (target ≤ 10 s; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    );
    console.log(
      `  longest event-loop block ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms (target ≤ 50 ms; idle process on this machine: ${(await idleBaseline(5000)).toFixed(1)} ms)`,
    );
    const perTenThousand = ((rssAfter - rssBefore) / passages) * 10_000;
    console.log(
      `  RSS +${((rssAfter - rssBefore) / 1e6).toFixed(0)} MB: ${(perTenThousand / 1e6).toFixed(0)} MB per 10,000 passages`,
    );

    const next = random(7);
    const { word } = vocabulary(random(42));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const query = `how do I ${word()} the ${word()} ${next() < 0.5 ? word() : ''}`;
      const t = performance.now();
      const c = process.cpuUsage();
      await kb.search(query, { tokenBudget: 3000 });
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      wall.push(performance.now() - t);
    }
    // On a shared machine wall time includes waiting for a core; CPU time is what the search itself costs.
    const ms = (samples: number[], p: number) => percentile(samples, p).toFixed(2);
    console.log(
      `retrieval over ${passages} passages: wall p50 ${ms(wall, 0.5)} ms, p99 ${ms(wall, 0.99)} ms; CPU p50 ${ms(cpu, 0.5)} ms, p99 ${ms(cpu, 0.99)} ms (target p99 ≤ 5 ms)`,
    );
    kb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function quality(): Promise<void> {
  const questions = JSON.parse(readFileSync(path.resolve('bench/knowledge-questions.json'), 'utf8')) as {
    question: string;
    doc: string;
  }[];
  const kb = await openKnowledgeBase({ dir: path.resolve('contexts/it-docs'), logger: quiet });
  let top1 = 0;
  let top5 = 0;
  for (const { question, doc } of questions) {
    const docs = (await kb.search(question, { tokenBudget: 4000 })).map((passage) => passage.docId);
    if (docs[0] === doc) top1++;
    if (docs.slice(0, 5).includes(doc)) top5++;
    else if (process.env.VERBOSE) console.log(`  miss: "${question}" → ${docs.slice(0, 3).join(', ')} (want ${doc})`);
  }
  kb.close();
  const n = questions.length;
  console.log(
    `retrieval quality (full-text, ${n} questions): hit@1 ${(top1 / n).toFixed(2)}, hit@5 ${(top5 / n).toFixed(2)} (target hit@5 ≥ 0.9)`,
  );
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (!only || only === 'quality') await quality();
  if (!only || only === 'index') await indexingAndRetrieval();
  if (!only || only === 'overhead') await retrievalOverhead();
}

if (KEEP) console.log(writeCorpus(process.argv[3] ?? mkdtempSync(path.join(tmpdir(), 'knowledge-corpus-'))));
else void main();
