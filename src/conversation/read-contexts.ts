import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from './context';
import { parseContext, shown } from './context-file';
import { buildContextSet, type ContextSet } from './context-set';

/** `signature` identifies what was read (file names and contents), so an event that changed nothing is ignored. */
export type ReadResult = { signature: string } & ({ ok: true; set: ContextSet } | { ok: false; problems: string[] });

function isContextFile(name: string): boolean {
  return /\.md$/i.test(name) && !/^[._]/.test(name) && name.toLowerCase() !== 'readme.md';
}

async function listFiles(dir: string): Promise<string[] | string> {
  const where = `CONTEXTS_DIR (${dir})`;
  try {
    if (!(await stat(dir)).isDirectory()) return `${where} is not a directory`;
    const names = (await readdir(dir)).filter(isContextFile).sort();
    // stat follows symlinks, so Kubernetes ConfigMap mounts (files linked into ..data/) count as files. A file
    // deleted since readdir is skipped: its deletion triggers another reload anyway.
    const files = await Promise.all(
      names.map(async (name) => {
        const file = path.join(dir, name);
        const info = await stat(file).catch(() => undefined);
        return info?.isFile() ? file : undefined;
      }),
    );
    const found = files.filter((file): file is string => file !== undefined);
    return found.length > 0 ? found : `${where} has no context files (*.md, not README.md or _*.md)`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${where} does not exist` : `${where} cannot be read (${code ?? String(err)})`;
  }
}

/** A context's knowledge folder must exist when the context is loaded: a typo should not mean silent answers. */
async function knowledgeProblem(context: Context): Promise<string | undefined> {
  if (!context.knowledge) return undefined;
  const info = await stat(context.knowledge).catch(() => undefined);
  if (info?.isDirectory()) return undefined;
  return `knowledge: folder ${shown(context.knowledge)} ${info ? 'is not a directory' : 'does not exist'}`;
}

/** Reads and checks every context file in `dir`, collecting every problem rather than stopping at the first. */
export async function readContexts(dir: string): Promise<ReadResult> {
  const files = await listFiles(dir);
  if (typeof files === 'string') return { ok: false, problems: [files], signature: files };
  const problems: string[] = [];
  const contexts: Context[] = [];
  const sources: string[] = [];
  for (const file of files) {
    const raw = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => err);
    if (raw instanceof Error) {
      problems.push(`${shown(file)}: cannot be read (${raw.code ?? raw.message})`);
      continue;
    }
    sources.push(file, raw);
    const result = parseContext(file, raw);
    if (Array.isArray(result)) {
      problems.push(...result.map((problem) => `${shown(file)}: ${problem}`));
      continue;
    }
    const missing = await knowledgeProblem(result);
    if (missing) problems.push(`${shown(file)}: ${missing}`);
    else contexts.push(result);
  }
  const { set, problems: conflicts } = buildContextSet(contexts);
  problems.push(...conflicts);
  const signature = JSON.stringify(sources);
  if (problems.length > 0) return { ok: false, problems, signature };
  return { ok: true, set, signature };
}
