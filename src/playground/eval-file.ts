/** Reads `contexts/NAME.eval.yml`: checks every key and says where a problem is (file, line, key). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Document, isMap, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { EvalFileError } from '../errors';

/** One earlier message of the conversation a case starts from. */
export interface EvalTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** One question and what its answer must (not) contain. */
export interface EvalCase {
  name: string;
  question: string;
  history: EvalTurn[];
  mustInclude: string[];
  mustNotInclude: string[];
  rubric?: string;
  /** Knowledge documents that must be among the retrieved sources. */
  sources: string[];
  /** Line of the case in its file. */
  line: number;
}

/** A parsed eval file. */
export interface EvalFile {
  file: string;
  /** The context's name or file stem: `context:`, else the eval file's name without `.eval.yml`. */
  context: string;
  /** Line of `context:`, when given. */
  contextLine?: number;
  cases: EvalCase[];
}

/** A strict object whose unknown-key message lists the keys it accepts. */
function strictObject<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown key (allowed: ${allowed})`;
      if (issue.code === 'invalid_type') return `expected ${what} with keys ${allowed}`;
      return undefined;
    },
  });
}

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `${what} must not be empty`);

const texts = (what: string) =>
  z.array(text(what), { error: `expected a list of ${what}s, e.g. [one, two]` }).default([]);

const turnSchema = strictObject(
  {
    role: z.enum(['user', 'assistant'], { error: "expected 'user' or 'assistant'" }),
    text: text('the message text'),
  },
  'a message',
);

const caseSchema = strictObject(
  {
    name: text('a name'),
    question: text('a question'),
    history: z.array(turnSchema, { error: 'expected a list of {role, text} messages' }).default([]),
    must_include: texts('text'),
    must_not_include: texts('text'),
    rubric: text('a rubric').optional(),
    sources: texts('document name'),
  },
  'a case',
);

const fileSchema = strictObject(
  {
    context: text('a context name').optional(),
    cases: z.array(caseSchema, { error: 'expected a list of cases' }).min(1, 'needs at least one case'),
  },
  'a mapping',
);

function keyPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}${out ? '.' : ''}${String(key)}`),
    '',
  );
}

/** The line of the node at `segments`, or of its nearest ancestor that exists; `unknownKey` picks a map's key. */
function lineOf(doc: Document, lines: LineCounter, segments: PropertyKey[], unknownKey?: string): number | undefined {
  for (let depth = segments.length; depth >= 0; depth--) {
    const at = segments.slice(0, depth);
    const node = (at.length === 0 ? doc.contents : doc.getIn(at, true)) as Node | null | undefined;
    if (!node?.range) continue;
    let offset = node.range[0];
    if (unknownKey !== undefined && depth === segments.length && isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === unknownKey);
      offset = (pair?.key as Node | undefined)?.range?.[0] ?? offset;
    }
    return lines.linePos(offset).line;
  }
  return undefined;
}

/** Parses an eval file's text; throws EvalFileError naming the first problem's line and key. */
export function parseEvalFile(file: string, source: string): EvalFile {
  const lines = new LineCounter();
  const doc = parseDocument(source.replace(/^\uFEFF/, ''), { lineCounter: lines });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new EvalFileError(file, error.linePos?.[0].line, undefined, `not valid YAML: ${reason}`);
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    // A typo'd key also leaves a required key missing: the unknown key is the one to point at.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    const segments = issue.path as PropertyKey[];
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const key = keyPath(unknown !== undefined ? [...segments, unknown] : segments);
    throw new EvalFileError(file, lineOf(doc, lines, segments, unknown), key || undefined, issue.message);
  }
  const seen = new Set<string>();
  const cases = parsed.data.cases.map((c, i) => {
    if (seen.has(c.name)) {
      throw new EvalFileError(
        file,
        lineOf(doc, lines, ['cases', i, 'name']),
        `cases[${i}].name`,
        `'${c.name}' is used twice`,
      );
    }
    seen.add(c.name);
    return {
      name: c.name,
      question: c.question,
      history: c.history,
      mustInclude: c.must_include,
      mustNotInclude: c.must_not_include,
      rubric: c.rubric,
      sources: c.sources,
      line: lineOf(doc, lines, ['cases', i]) ?? 1,
    };
  });
  const stem = path.basename(file).replace(/\.eval\.ya?ml$/i, '');
  const context = parsed.data.context ?? stem;
  const contextLine = parsed.data.context !== undefined ? lineOf(doc, lines, ['context']) : undefined;
  return { file, context, contextLine, cases };
}

/** Reads and parses one eval file; `shownAs` is how messages name it. */
export async function readEvalFile(file: string, shownAs = file): Promise<EvalFile> {
  const source = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new EvalFileError(shownAs, undefined, undefined, `cannot be read (${err.code ?? err.message})`);
  });
  return parseEvalFile(shownAs, source);
}
