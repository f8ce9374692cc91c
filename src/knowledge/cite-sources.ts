/** Turns the model's [n] citations into a "Sources" line and removes numbers that match no excerpt. */
import { passageLabel } from './format-passages';
import type { Passage } from './passage';

/** [1], [2, 3] and [1][2]; not footnote-like "[^1]" nor markdown links "[1](…)". */
const CITATION = /\s?\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\](?!\()/g;

/** Markdown for Slack's `markdown_text`, or Slack mrkdwn for `text`/section blocks. */
export type SourcesFormat = 'markdown' | 'mrkdwn';

function link(label: string, url: string | undefined, format: SourcesFormat): string {
  if (format === 'mrkdwn') {
    const safe = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return url ? `<${url}|${safe.replace(/\|/g, '¦')}>` : safe;
  }
  const safe = label.replace(/([[\]*_`\\])/g, '\\$1');
  return url ? `[${safe}](${url.replace(/[()\s]/g, encodeURIComponent)})` : safe;
}

/** `text` without citation numbers outside 1..`count`, and the valid numbers in order of first citation. */
export function cleanCitations(text: string, count: number): { text: string; cited: number[] } {
  const cited: number[] = [];
  const cleaned = text.replace(CITATION, (whole, list: string) => {
    const numbers = list
      .split(',')
      .map((n) => Number(n.trim()))
      .filter((n) => n >= 1 && n <= count);
    if (numbers.length === 0) return '';
    for (const n of numbers) if (!cited.includes(n)) cited.push(n);
    const leading = whole.startsWith('[') ? '' : whole[0];
    return `${leading}[${numbers.join(', ')}]`;
  });
  return { text: cleaned, cited };
}

/**
 * Keeps the citations that match an excerpt (invented numbers are removed) and lists the cited excerpts'
 * documents, in order of first citation, as one "Sources" line; `sources` is undefined when nothing was cited.
 */
export function citeSources(
  answer: string,
  passages: Passage[],
  format: SourcesFormat = 'markdown',
): { answer: string; sources?: string } {
  const { text: cleaned, cited } = cleanCitations(answer, passages.length);
  if (cited.length === 0) return { answer: cleaned };
  // One entry per document section: two excerpts of the same section share one entry and its numbers.
  const entries = new Map<string, { numbers: number[]; passage: Passage }>();
  for (const n of cited) {
    const passage = passages[n - 1];
    const key = `${passage.docId}\n${passageLabel(passage)}`;
    const entry = entries.get(key) ?? { numbers: [], passage };
    entry.numbers.push(n);
    entries.set(key, entry);
  }
  const items = [...entries.values()].map(
    ({ numbers, passage }) =>
      `${numbers.map((n) => `[${n}]`).join('')} ${link(passageLabel(passage), passage.url, format)}`,
  );
  const bold = format === 'mrkdwn' ? '*Sources:*' : '**Sources:**';
  return { answer: cleaned, sources: `${bold} ${items.join(' · ')}` };
}
