/** BM25 full-text ranking over passages (MiniSearch: BM25+, incremental add and discard). */
import MiniSearch from 'minisearch';
import type { Passage } from './passage';
import { processTerm, searchTerms, tokenize } from './terms';

/** A previous question narrows a follow-up ("and on a Mac?") but weighs less than the question itself. */
const PREVIOUS_QUESTION_BOOST = 0.5;

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

export class FullTextIndex {
  private readonly index = new MiniSearch<Entry>({
    fields: ['title', 'headings', 'text'],
    storeFields: [],
    tokenize,
    processTerm,
    // Titles and headings say what a passage is about; body words only mention things.
    searchOptions: { boost: { title: 2, headings: 1.5 } },
  });

  add(id: number, passage: Passage): void {
    this.index.add({ id, title: passage.title, headings: passage.headingPath.join(' '), text: passage.text });
  }

  /** Removes a passage lazily (MiniSearch vacuums in the background, in small batches). */
  discard(id: number): void {
    this.index.discard(id);
  }

  /** Passages matching any term of the question (or, less, of the previous one), best first. */
  rank(question: string, previousQuestion?: string, limit = 50): Ranked[] {
    const current = new Set(searchTerms(question));
    const previous = previousQuestion ? searchTerms(previousQuestion).filter((term) => !current.has(term)) : [];
    if (current.size === 0 && previous.length === 0) return [];
    const query = [...current, ...previous].join(' ');
    const results = this.index.search(query, {
      // The query is already made of processed terms: processing them again would stem twice.
      processTerm: (term) => term,
      boostTerm: (term) => (current.has(term) ? 1 : PREVIOUS_QUESTION_BOOST),
    });
    return results.slice(0, limit).map((result) => ({ id: result.id as number, score: result.score }));
  }
}
