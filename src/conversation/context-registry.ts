import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ContextError } from '../errors';
import type { Logger } from '../logger';
import type { Context, ContextRegistry } from './context';

/** Editors save in bursts (temp file, rename, chmod): wait for the burst to end before reloading. */
const DEBOUNCE_MS = 100;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_]+\s*\}\}/g;

/** A strict object whose unknown-key and wrong-type messages name the keys it accepts. */
function strictObject<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => `'${key}'`).join(', ');
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys} (allowed: ${allowed})`;
      }
      if (issue.code === 'invalid_type') return `expected ${what} with keys ${allowed}`;
      return undefined;
    },
  });
}

const idList = (pattern: RegExp, kind: string, example: string) =>
  z
    .array(
      z.string({ error: `expected a ${kind} id like ${example}` }).regex(pattern, {
        error: (issue) => `'${String(issue.input)}' is not a ${kind} id (like ${example})`,
      }),
      { error: `expected a list of ${kind} ids, e.g. [${example}]` },
    )
    .default([])
    .transform((ids) => [...new Set(ids)]);

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `${what} must not be empty`);

const frontMatterSchema = strictObject(
  {
    name: text('a name').optional(),
    channels: idList(CHANNEL_ID, 'channel', 'C0123ABCD'),
    reply: z.enum(['mentions', 'all'], { error: "expected 'mentions' or 'all'" }).default('mentions'),
    suggested_prompts: z
      .array(strictObject({ title: text('a title'), message: text('a message') }, 'a prompt'), {
        error: 'expected a list of {title, message} prompts',
      })
      .max(4, 'at most 4 prompts (Slack shows no more)')
      .default([]),
    confidential: z.boolean({ error: 'expected true or false' }).default(false),
    allow_users: idList(USER_ID, 'user', 'U0123ABCD'),
    knowledge: text('a folder of documents, relative to the contexts directory')
      .refine((folder) => !path.isAbsolute(folder) && !folder.split(/[\\/]/).includes('..'), {
        error: 'the knowledge folder must be inside the contexts directory (a relative path without ..)',
      })
      .optional(),
    knowledge_only: z.boolean({ error: 'expected true or false' }).default(false),
  },
  'front matter',
)
  .refine((fm) => fm.reply !== 'all' || fm.channels.length > 0, {
    path: ['reply'],
    message: "'all' needs channels: list the channels where every message should be answered",
  })
  .refine((fm) => !fm.knowledge_only || fm.knowledge !== undefined, {
    path: ['knowledge_only'],
    message: 'knowledge_only needs knowledge: name the folder of documents to answer from',
  });

/** The display form of a file in messages: relative to the working directory when under it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function issuePath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}${out ? '.' : ''}${String(key)}`),
    '',
  );
}

/** Splits `---` front matter from the body; a file without front matter is all body. */
function splitFrontMatter(source: string): { yaml: string; body: string } | string {
  const lines = source.split('\n');
  if (lines[0].trim() !== '---') return { yaml: '', body: source };
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) return 'front matter starts with --- but has no closing --- line';
  return { yaml: lines.slice(1, end).join('\n'), body: lines.slice(end + 1).join('\n') };
}

/** Parses one context file; returns the context or the problems, each a readable line without the file name. */
function parseContext(file: string, raw: string): Context | string[] {
  const source = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const split = splitFrontMatter(source);
  if (typeof split === 'string') return [split];
  const doc = parseDocument(split.yaml);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    // +1: the opening --- is line 1 of the file; the YAML parser counts from the line after it.
    const line = error.linePos ? ` (line ${error.linePos[0].line + 1})` : '';
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return [`front matter is not valid YAML${line}: ${reason}`];
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    // toJS throws on alias bombs and similar documents that parse but cannot be expanded safely.
    return [`front matter cannot be read as YAML: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (typeof data !== 'object' || Array.isArray(data)) return ['front matter must be YAML key: value lines'];
  const parsed = frontMatterSchema.safeParse(data);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => (issue.path.length ? `${issuePath(issue.path)}: ` : '') + issue.message);
  // HTML comments are notes for editors: they do not render, so the model does not see them either.
  const body = split.body.replace(/<!--[\s\S]*?-->/g, '').trim();
  if (!body) problems.push('the context text is empty: write it below the front matter');
  if (!parsed.success || problems.length > 0) return problems;
  const fm = parsed.data;
  return {
    name: fm.name ?? path.basename(file).replace(/\.md$/i, ''),
    file,
    channels: fm.channels,
    reply: fm.reply,
    suggestedPrompts: fm.suggested_prompts,
    confidential: fm.confidential,
    allowUsers: fm.allow_users,
    text: body,
    ...(fm.knowledge !== undefined && { knowledge: path.resolve(path.dirname(file), fm.knowledge) }),
    knowledgeOnly: fm.knowledge_only,
  };
}

/** A context's knowledge folder must exist when the context is loaded: a typo should not mean silent answers. */
async function knowledgeProblem(context: Context): Promise<string | undefined> {
  if (!context.knowledge) return undefined;
  const info = await stat(context.knowledge).catch(() => undefined);
  if (info?.isDirectory()) return undefined;
  return `knowledge: folder ${shown(context.knowledge)} ${info ? 'is not a directory' : 'does not exist'}`;
}

/** One consistent set of contexts with its lookup table, swapped in as a whole. */
interface Snapshot {
  contexts: Context[];
  byChannel: Map<string, Context>;
  fallback: Context | undefined;
}

/** `signature` identifies what was read (file names and contents), so an event that changed nothing is ignored. */
type ReadResult = { signature: string } & ({ ok: true; snapshot: Snapshot } | { ok: false; problems: string[] });

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

/** Reads and checks every context file in `dir`, collecting every problem rather than stopping at the first. */
async function readContexts(dir: string): Promise<ReadResult> {
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
  const byChannel = new Map<string, Context>();
  for (const context of contexts) {
    for (const channel of context.channels) {
      const owner = byChannel.get(channel);
      if (owner) problems.push(`channel ${channel} is claimed by both ${shown(owner.file)} and ${shown(context.file)}`);
      else byChannel.set(channel, context);
    }
  }
  const defaults = contexts.filter((context) => context.channels.length === 0);
  if (defaults.length > 1) {
    const names = defaults.map((context) => shown(context.file)).join(', ');
    problems.push(`only one context may have no channels (the default), but ${names} have none`);
  }
  const signature = JSON.stringify(sources);
  if (problems.length > 0) return { ok: false, problems, signature };
  const fallback = defaults[0];
  const ordered = fallback ? [fallback, ...contexts.filter((context) => context !== fallback)] : contexts;
  return { ok: true, snapshot: { contexts: ordered, byChannel, fallback }, signature };
}

function warnAboutGaps(snapshot: Snapshot, logger: Logger): void {
  if (!snapshot.fallback) {
    logger.warn('no default context (one without channels): DMs and unclaimed channels get no answer');
  }
  for (const context of snapshot.contexts) {
    const placeholders = [...new Set(context.text.match(PLACEHOLDER) ?? [])];
    if (placeholders.length > 0) {
      logger.warn('context still has placeholders to fill in', { file: shown(context.file), placeholders });
    }
  }
}

/**
 * Loads every context in `dir` and keeps them current: file changes are picked up without a restart. Rejects with
 * one ContextError listing every problem in every file; later, a bad edit is logged and the previous set kept.
 */
export async function loadContexts(dir: string, logger: Logger): Promise<ContextRegistry> {
  const first = await readContexts(dir);
  if (!first.ok) {
    throw new ContextError(`Invalid contexts in CONTEXTS_DIR (${dir}):\n  - ${first.problems.join('\n  - ')}`);
  }
  let current = first.snapshot;
  let signature = first.signature;
  const names = () => current.contexts.map((context) => context.name);
  logger.info('contexts loaded', { dir, contexts: names(), default: current.fallback?.name });
  warnAboutGaps(current, logger);

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reloading = false;
  let again = false;

  const reload = async (): Promise<void> => {
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    try {
      const next = await readContexts(dir);
      if (closed || next.signature === signature) return;
      signature = next.signature;
      if (!next.ok) {
        logger.error('contexts not reloaded: still serving the previous set', { dir, problems: next.problems });
      } else {
        current = next.snapshot;
        logger.info('contexts reloaded', { contexts: names(), default: current.fallback?.name });
        warnAboutGaps(current, logger);
      }
    } catch (err) {
      // Never an unhandled rejection from a timer: keep serving, say why.
      logger.error('contexts not reloaded: still serving the previous set', { dir, error: err });
    } finally {
      reloading = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), DEBOUNCE_MS);
    timer.unref();
  }

  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: watching must never be what keeps the process (or a test run) alive.
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (err) => {
      logger.error('stopped watching contexts: edits now need a restart', { dir, error: err });
      watcher?.close();
    });
  } catch (err) {
    logger.warn('cannot watch contexts: edits need a restart', { dir, error: err });
  }

  return {
    forChannel: (channelId, isDm) => (isDm ? current.fallback : (current.byChannel.get(channelId) ?? current.fallback)),
    all: () => [...current.contexts],
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
