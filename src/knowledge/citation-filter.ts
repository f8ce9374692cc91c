/** Removes invented citation numbers from a streamed answer as it streams, before they reach Slack. */
import { cleanCitations } from './cite-sources';

/**
 * The end of the text so far that may still become a citation: "[", " [1", "[2]" (a "(" may follow: a link), or a
 * last space (a citation dropped later takes the space before it).
 */
const MAYBE_CITATION = /\s?(?:\[[\d,\s]{0,20}\]?)?$/;

/** What the stream writes: each delta goes through `write`, whatever is held back comes out of `end`. */
export interface CitationFilter {
  write(delta: string): string;
  end(): string;
}

/** A filter for an answer citing `passageCount` passages; its output equals citeSources' answer for the same text. */
export function createCitationFilter(passageCount: number): CitationFilter {
  let pending = '';
  return {
    write(delta) {
      pending += delta;
      const held = MAYBE_CITATION.exec(pending);
      const cut = held ? held.index : pending.length;
      const out = cleanCitations(pending.slice(0, cut), passageCount).text;
      pending = pending.slice(cut);
      return out;
    },
    end() {
      const out = cleanCitations(pending, passageCount).text;
      pending = '';
      return out;
    },
  };
}
