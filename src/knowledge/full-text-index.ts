/** BM25 full-text ranking over passages (MiniSearch: BM25+, incremental add and discard). */
import MiniSearch, { type QueryCombination } from 'minisearch';
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
/**
 * A common word scored in titles and headings only looks rare there (BM25 counts passages per field): it weighs this
 * much, so that a follow-up's common words from the previous question never outrank the new question's rare ones.
 */
const TITLED_WEIGHT = 0.25;
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

  /**
   * Passages matching any term of the question (or, less, of the previous one), best first. Each question is searched
   * by its rare words; one with only common words, by those in titles and headings.
   */
  rank(question: string, previousQuestion?: string, limit = 50): Ranked[] {
    const current = this.useful(searchTerms(question));
    const previous = this.useful(previousQuestion ? searchTerms(previousQuestion) : []);
    const mine = new Set([...current.everywhere, ...current.titled]);
    const others = (terms: string[]) => terms.filter((term) => !mine.has(term));
    const everywhere = [...current.everywhere, ...others(previous.everywhere)];
    const titled = [...current.titled, ...others(previous.titled)];
    const titledSet = new Set(titled);
    const queries: QueryCombination[] = [];
    if (everywhere.length > 0) queries.push({ queries: everywhere });
    // A word in many passages tells one from another only where it names a document or a section; scoring it in
    // every body that mentions it cost tens of ms over 20,000 passages and ranked nothing better.
    if (titled.length > 0) queries.push({ queries: titled, fields: ['title', 'headings'] });
    if (queries.length === 0) return [];
    const results = this.index.search(
      { queries, combineWith: 'OR' },
      {
        // The query is already made of processed terms: processing them again would stem twice.
        processTerm: (term) => term,
        boostTerm: (term) => (mine.has(term) ? 1 : PREVIOUS_QUESTION_BOOST) * (titledSet.has(term) ? TITLED_WEIGHT : 1),
      },
    );
    return results.slice(0, limit).map((result) => ({ id: result.id as number, score: result.score }));
  }

  /**
   * The terms of one question worth scoring: in a small index all of them, everywhere. In a large one, its rare words
   * (in at most COMMON_SHARE of the passages) everywhere; with none, its common ones in titles and headings only. A
   * word in over half the passages, or in none, is not scored at all.
   */
  private useful(terms: string[]): { everywhere: string[]; titled: string[] } {
    const total = this.index.documentCount;
    if (total < LARGE_INDEX) return { everywhere: terms, titled: [] };
    const passages = (term: string) => this.documentFrequency.get(term) ?? 0;
    const rare = terms.filter((term) => passages(term) > 0 && passages(term) <= total * COMMON_SHARE);
    if (rare.length > 0) return { everywhere: rare, titled: [] };
    return {
      everywhere: [],
      titled: terms.filter((term) => passages(term) > 0 && passages(term) <= total * NOISE_SHARE),
    };
  }
}
