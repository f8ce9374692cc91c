/** BM25 full-text ranking over passages (MiniSearch: BM25+, incremental add and discard). */
import MiniSearch from 'minisearch';
import type { Passage } from './passage';
import { processTerm, searchTerms, tokenize } from './terms';

/** A previous question narrows a follow-up ("and on a Mac?") but weighs less than the question itself. */
const PREVIOUS_QUESTION_BOOST = 0.5;
/**
 * In a large folder, a word found in more than this share of passages barely ranks (its IDF is near zero) yet
 * costs a score for each of those passages: over 20,000 passages such words made a search take tens of ms.
 */
const COMMON_SHARE = 0.05;
/** A word in more than half the passages has almost no weight in BM25 (its IDF tends to 0): it is not searched. */
const NOISE_SHARE = 0.5;
const LARGE_INDEX = 2000;

interface Entry {
  id: number;
  title: string;
  headings: string;
  text: string;
}

/** A ranked passage id with its BM25 score. */
export interface Ranked {
  id: number;
  score: number;
}

const entryOf = (id: number, passage: Passage): Entry => ({
  id,
  title: passage.title,
  headings: passage.headingPath.join(' '),
  text: passage.text,
});

export class FullTextIndex {
  /** Passages containing each term, to tell rare terms from common ones. */
  private readonly documentFrequency = new Map<string, number>();
  /** The distinct terms of the passage being added, collected as MiniSearch processes them. */
  private collecting: Set<string> | undefined;
  private readonly index = new MiniSearch<Entry>({
    fields: ['title', 'headings', 'text'],
    storeFields: [],
    tokenize,
    processTerm: (term) => {
      const processed = processTerm(term);
      if (processed) this.collecting?.add(processed);
      return processed;
    },
    // Titles and headings say what a passage is about; body words only mention things.
    searchOptions: { boost: { title: 2, headings: 1.5 } },
  });

  add(id: number, passage: Passage): void {
    this.collecting = new Set();
    this.index.add(entryOf(id, passage));
    for (const term of this.collecting) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    this.collecting = undefined;
  }

  /** Removes a passage lazily (MiniSearch vacuums in the background, in small batches). */
  discard(id: number, passage: Passage): void {
    this.index.discard(id);
    const entry = entryOf(id, passage);
    for (const term of searchTerms(`${entry.title} ${entry.headings} ${entry.text}`)) {
      const count = (this.documentFrequency.get(term) ?? 1) - 1;
      if (count > 0) this.documentFrequency.set(term, count);
      else this.documentFrequency.delete(term);
    }
  }

  /** Passages matching any term of the question (or, less, of the previous one), best first. */
  rank(question: string, previousQuestion?: string, limit = 50): Ranked[] {
    const current = this.useful(searchTerms(question));
    const previous = previousQuestion ? this.useful(searchTerms(previousQuestion)) : { terms: [], common: false };
    const currentTerms = new Set(current.terms);
    const terms = [...currentTerms, ...previous.terms.filter((term) => !currentTerms.has(term))];
    if (terms.length === 0) return [];
    const results = this.index.search(terms.join(' '), {
      // The query is already made of processed terms: processing them again would stem twice.
      processTerm: (term) => term,
      boostTerm: (term) => (currentTerms.has(term) ? 1 : PREVIOUS_QUESTION_BOOST),
      // A word in most passages tells one from another only where it names a document or a section; scoring it in
      // every body that mentions it cost tens of ms over 20,000 passages and ranked nothing better.
      ...(current.common && (previous.common || previous.terms.length === 0) && { fields: ['title', 'headings'] }),
    });
    return results.slice(0, limit).map((result) => ({ id: result.id as number, score: result.score }));
  }

  /**
   * The terms worth scoring: all of them in a small index; in a large one, not those in most passages. `common` says
   * the question has only such words (the rarest is kept, to be looked for in titles and headings).
   */
  private useful(terms: string[]): { terms: string[]; common: boolean } {
    const total = this.index.documentCount;
    if (total < LARGE_INDEX) return { terms, common: false };
    const known = terms.filter((term) => this.documentFrequency.has(term));
    const rare = known.filter((term) => (this.documentFrequency.get(term) ?? 0) <= total * COMMON_SHARE);
    if (rare.length > 0) return { terms: rare, common: false };
    const common = known.filter((term) => (this.documentFrequency.get(term) ?? 0) <= total * NOISE_SHARE);
    return { terms: common, common: common.length > 0 };
  }
}
