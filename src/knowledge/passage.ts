/** The shapes shared by the knowledge folder's loader, index and search. */
import type { Logger } from '../logger';

/** One searchable piece of a document: a heading's section, or part of one, sized in tokens. */
export interface Passage {
  /** The document's path relative to the knowledge folder, with `/` separators. */
  docId: string;
  /** The document's absolute path. */
  path: string;
  /** The document's title (front matter, <title>, sidecar, first H1, else its file name). */
  title: string;
  /** Headings from the top of the document down to this passage, e.g. ["VPN", "macOS", "Certificate errors"]. */
  headingPath: string[];
  /** Where people can read the document, when it has one. */
  url?: string;
  text: string;
  /** o200k token count of `text`. */
  tokens: number;
}

/** Embeds texts with one model; `model` (when set) keys the embedding cache so a model change pays again. */
export type Embed = ((texts: string[]) => Promise<number[][]>) & { model?: string };

/** Extracts the text of a PDF; throws when it cannot. */
export type ReadPdf = (bytes: Uint8Array) => Promise<string>;

/** How to open a knowledge folder. */
export interface KnowledgeBaseOptions {
  /** The folder, absolute or relative to the working directory. */
  dir: string;
  logger: Logger;
  /** Enables hybrid search: full-text and embeddings fused into one ranking. */
  embed?: Embed;
  /** JSON file caching embeddings by content hash (created when missing). Without it they live in memory only. */
  embeddingCacheFile?: string;
  /** Without it, PDFs are reported as unreadable and skipped. */
  readPdf?: ReadPdf;
}

/** A folder of documents, kept indexed as its files change. */
export interface KnowledgeBase {
  /** The best passages for a question that fit `tokenBudget`, best first; [] when nothing relevant matches. */
  search(query: string, options: { tokenBudget: number; previousQuestion?: string }): Promise<Passage[]>;
  /** Documents indexed. */
  documents(): number;
  /** Passages indexed. */
  passages(): number;
  /** Stops watching the folder and writing the cache. */
  close(): void;
}

/** A document's text as sections under their headings, before sizing. */
export interface Section {
  headingPath: string[];
  text: string;
}

/** What a file yields once read. */
export interface LoadedDocument {
  title: string;
  url?: string;
  sections: Section[];
}
