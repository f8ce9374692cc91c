/** How retrieved passages are shown to the model, and what it is told when there are none. */
import type { Passage } from './passage';

/** "VPN on macOS › Certificate errors": the title, then the headings under it (an H1 repeating the title is skipped). */
export function passageLabel(passage: Passage): string {
  const headings = passage.headingPath[0] === passage.title ? passage.headingPath.slice(1) : passage.headingPath;
  return [passage.title, ...headings].join(' › ');
}

const CITE_RULES = `Excerpts from the team's guides that may answer the question follow, numbered.
- Answer from these excerpts and the context. Cite each excerpt you use as [1], [2]… right after the sentence it supports; cite only these numbers.
- If the excerpts do not answer the question, say that you don't know and point to the escalation path; do not guess or fill gaps from general knowledge.`;

/** Told to the model when the knowledge folder has nothing relevant, so that it abstains rather than improvises. */
export const NO_PASSAGES_NOTE = `The team's guides were searched and nothing relevant to this question was found. Say that you don't know and could not find it in the guides, and point to the escalation path; do not guess.`;

/** The numbered excerpts block placed between the history and the question. */
export function formatPassages(passages: Passage[]): string {
  if (passages.length === 0) return NO_PASSAGES_NOTE;
  const blocks = passages.map((passage, i) => `[${i + 1}] ${passageLabel(passage)}\n${passage.text}`);
  return `${CITE_RULES}\n\n${blocks.join('\n\n')}`;
}
