/** Splits document text along its headings, then sizes the pieces in tokens. */
import type { Section } from './passage';

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^\s*(```|~~~)/;

/** A passage aims at this size: large enough to hold a procedure, small enough that several fit a budget. */
export const PASSAGE_TOKENS = 320;

/**
 * Tokens of `text`, estimated from its UTF-8 size (English runs ~4 bytes per o200k token; this errs high). Counting
 * exactly with gpt-tokenizer while indexing cost more than all the rest of indexing together (~0.6 M tokens/s
 * measured on guide text), so the exact count is taken only for the passages a search considers sending.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 3.5);
}

/** Markdown (or text rendered as markdown) → sections under their ATX headings; code fences are not headings. */
export function markdownSections(markdown: string): Section[] {
  const sections: Section[] = [];
  const path: { level: number; title: string }[] = [];
  let lines: string[] = [];
  let inFence = false;
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) sections.push({ headingPath: path.map((h) => h.title), text });
    lines = [];
  };
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    flush();
    const level = heading[1].length;
    while (path.length > 0 && path[path.length - 1].level >= level) path.pop();
    path.push({ level, title: heading[2].replace(/[*_`]/g, '').trim() });
  }
  flush();
  return sections;
}

/** Plain text has no headings: one section, split later by paragraphs. */
export function plainSections(text: string): Section[] {
  const trimmed = text.trim();
  return trimmed ? [{ headingPath: [], text: trimmed }] : [];
}

/** A section's text cut into pieces of at most `maxTokens` (estimated), along paragraphs, then lines, then words. */
export function sizeSection(text: string, maxTokens = PASSAGE_TOKENS): { text: string; tokens: number }[] {
  const tokens = estimateTokens(text);
  if (tokens <= maxTokens) return [{ text, tokens }];
  const pieces: { text: string; tokens: number }[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  const flush = () => {
    if (current.length > 0) pieces.push({ text: current.join('\n\n'), tokens: currentTokens });
    current = [];
    currentTokens = 0;
  };
  for (const unit of units(text, maxTokens)) {
    if (currentTokens + unit.tokens > maxTokens) flush();
    current.push(unit.text);
    currentTokens += unit.tokens + (current.length > 1 ? 1 : 0);
  }
  flush();
  return pieces;
}

/** Paragraphs no larger than `maxTokens`: an oversized paragraph is split by lines, then by words. */
function units(text: string, maxTokens: number): { text: string; tokens: number }[] {
  const out: { text: string; tokens: number }[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const trimmed = paragraph.trim();
    if (!trimmed) continue;
    const tokens = estimateTokens(trimmed);
    if (tokens <= maxTokens) out.push({ text: trimmed, tokens });
    else out.push(...splitBy(trimmed, trimmed.includes('\n') ? '\n' : ' ', maxTokens));
  }
  return out;
}

/** Greedy packing of `separator`-joined parts; counts each part once (sums are estimates within a token or two). */
function splitBy(text: string, separator: string, maxTokens: number): { text: string; tokens: number }[] {
  const out: { text: string; tokens: number }[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const part of text.split(separator)) {
    const tokens = estimateTokens(part) + 1;
    if (current.length > 0 && currentTokens + tokens > maxTokens) {
      out.push({ text: current.join(separator), tokens: currentTokens });
      current = [];
      currentTokens = 0;
    }
    current.push(part);
    currentTokens += tokens;
  }
  if (current.length > 0) out.push({ text: current.join(separator), tokens: currentTokens });
  return out.flatMap((piece) =>
    piece.tokens > maxTokens && separator === '\n' ? splitBy(piece.text, ' ', maxTokens) : [piece],
  );
}
