/**
 * The bot's overhead from event to model request, one conversation at a time, with and without a knowledge folder:
 * the real bot (createBot, in its own process) against the bench's fakes, as `npm run bench` measures it, once with
 * the bench context alone and once with the same context naming a copy of contexts/it-docs. The bench's question
 * ("my VPN keeps disconnecting when I work from home…") matches several of those guides, so each answer searches,
 * formats excerpts and cites.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeBenchContexts } from './context';
import { startBot, startFakes, stopAll } from './processes';
import { fmtSummary, type Summary, summarize } from './stats';
import { INSTANT } from './throughput';

/** Questions answered one after another; the first WARM_UP are not counted (JIT, connections). */
const QUESTIONS = 300;
const WARM_UP = 40;

async function overheadWith(contextsDir: string, label: string): Promise<Summary> {
  const fakes = await startFakes();
  const bot = await startBot(fakes, { contextsDir }, { label });
  try {
    await fakes.call.sequential({ count: WARM_UP, pacing: INSTANT, gapMs: 5 });
    const run = await fakes.call.sequential({ count: QUESTIONS, pacing: INSTANT, gapMs: 20 });
    return summarize(run.overheadMs);
  } finally {
    await stopAll(bot, fakes);
  }
}

/** Prints p50 / p99 of the overhead for both runs, and the difference at p50 (target with retrieval: p50 ≤ 5 ms). */
export async function retrievalOverhead(): Promise<void> {
  const plainDir = writeBenchContexts();
  const knowledgeDir = writeBenchContexts();
  try {
    cpSync(path.resolve('contexts/it-docs'), path.join(knowledgeDir, 'it-docs'), { recursive: true });
    const context = path.join(knowledgeDir, 'default.md');
    const text = readFileSync(context, 'utf8');
    writeFileSync(context, text.replace('name: IT support\n', 'name: IT support\nknowledge: it-docs\n'));
    const plain = await overheadWith(plainDir, 'bot-plain');
    const withKnowledge = await overheadWith(knowledgeDir, 'bot-knowledge');
    console.log(`event → model request, one conversation (${QUESTIONS} questions, p50 / p99):`);
    console.log(`  without knowledge ${fmtSummary(plain)}`);
    console.log(`  with it-docs      ${fmtSummary(withKnowledge)} (target p50 ≤ 5 ms)`);
    console.log(`  retrieval adds    ${(withKnowledge.p50 - plain.p50).toFixed(2)} ms at p50`);
  } finally {
    rmSync(plainDir, { recursive: true, force: true });
    rmSync(knowledgeDir, { recursive: true, force: true });
  }
}
