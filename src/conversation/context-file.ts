import path from 'node:path';
import { parseDocument } from 'yaml';
import { deskSettingsOf } from '../desk/desk-settings';
import type { Context } from './context';
import { frontMatterSchema } from './context-front-matter';

/** The display form of a file in messages: relative to the working directory when under it. */
export function shown(file: string): string {
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
export function parseContext(file: string, raw: string): Context | string[] {
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
    desk: deskSettingsOf(fm),
    text: body,
    ...(fm.knowledge !== undefined && { knowledge: path.resolve(path.dirname(file), fm.knowledge) }),
    knowledgeOnly: fm.knowledge_only,
    ...(fm.daily_tokens !== undefined && { dailyTokens: fm.daily_tokens }),
  };
}
