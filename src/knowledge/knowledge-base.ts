/** A knowledge folder kept indexed: loads documents, follows their changes, and finds passages for a question. */
import path from 'node:path';
import { countTokens } from '../conversation/tokens';
import { EmbeddingIndex } from './embedding-index';
import { Yielder } from './event-loop';
import { type FolderFile, listDocuments, watchFolder } from './folder-files';
import { FullTextIndex } from './full-text-index';
import type { KnowledgeBase, KnowledgeBaseOptions, Passage } from './passage';
import { fuseRankings } from './rank-fusion';
import { readDocument } from './read-document';
import { sizeSection } from './sections';

/** Candidates taken from each ranking before fusion and budgeting. */
const CANDIDATES = 40;
/** More excerpts than this rarely help an answer and dilute the citations. */
const MAX_PASSAGES = 8;
/** Tokens for a passage's numbered header line in the prompt (title › headings). */
const HEADER_TOKENS = 24;

/** A document as indexed: its signature when read, and the passage ids it produced. */
interface Indexed {
  signature: string;
  ids: number[];
}

/** Opens `dir`, indexes every document, and watches it; resolves once the full-text index is complete. */
export async function openKnowledgeBase(
  options: KnowledgeBaseOptions,
): Promise<KnowledgeBase & { idle(): Promise<void> }> {
  const dir = path.resolve(options.dir);
  const { logger } = options;
  const fullText = new FullTextIndex();
  const embeddings = options.embed ? new EmbeddingIndex(options.embed, logger, options.embeddingCacheFile) : undefined;
  await embeddings?.loadCache();
  const documents = new Map<string, Indexed>();
  const passages = new Map<number, Passage>();
  let nextId = 1;
  let closed = false;
  let embedding: Promise<void> = Promise.resolve();

  const removeDocument = (docId: string) => {
    for (const id of documents.get(docId)?.ids ?? []) {
      const passage = passages.get(id);
      if (passage) fullText.discard(id, passage);
      embeddings?.remove(id);
      passages.delete(id);
    }
    documents.delete(docId);
  };

  const indexDocument = async (entry: FolderFile, yielder: Yielder): Promise<{ id: number; text: string }[]> => {
    const loaded = await readDocument(entry.file, options.readPdf).catch((err: unknown) => err as Error);
    removeDocument(entry.docId);
    if (loaded instanceof Error) {
      const reason = (loaded as NodeJS.ErrnoException).code ?? loaded.message;
      // Deleted since it was listed (an editor's temporary file, a save by rename): its event re-syncs anyway.
      if (reason === 'ENOENT') return [];
      logger.warn('knowledge file skipped: it cannot be read', { file: entry.docId, reason });
      documents.set(entry.docId, { signature: entry.signature, ids: [] });
      return [];
    }
    const ids: number[] = [];
    const added: { id: number; text: string }[] = [];
    for (const section of loaded.sections) {
      for (const piece of sizeSection(section.text)) {
        const id = nextId++;
        const passage: Passage = {
          docId: entry.docId,
          path: entry.file,
          title: loaded.title,
          headingPath: section.headingPath,
          ...(loaded.url && { url: loaded.url }),
          text: piece.text,
          // Counted exactly when a search first considers the passage (see estimateTokens).
          tokens: 0,
        };
        passages.set(id, passage);
        fullText.add(id, passage);
        ids.push(id);
        added.push({ id, text: [loaded.title, ...section.headingPath, piece.text].join('\n') });
        await yielder.maybeYield();
      }
    }
    documents.set(entry.docId, { signature: entry.signature, ids });
    return added;
  };

  /** Brings the index in line with the folder: re-reads changed files, drops deleted ones. */
  const sync = async (): Promise<{ changed: number; removed: number }> => {
    const yielder = new Yielder();
    const files = await listDocuments(dir);
    const present = new Set(files.map((entry) => entry.docId));
    let removed = 0;
    for (const docId of [...documents.keys()]) {
      if (!present.has(docId)) {
        removeDocument(docId);
        removed++;
      }
    }
    let changed = 0;
    const toEmbed: { id: number; text: string }[] = [];
    for (const entry of files) {
      if (closed) break;
      if (documents.get(entry.docId)?.signature === entry.signature) continue;
      toEmbed.push(...(await indexDocument(entry, yielder)));
      changed++;
      await yielder.maybeYield();
    }
    // The index answers at once; embeddings follow in the background, one sync's batch after another's.
    if (embeddings && toEmbed.length > 0) {
      const current = toEmbed.filter((item) => passages.has(item.id));
      embedding = embedding.then(() => embeddings.add(current.filter((item) => passages.has(item.id))));
    }
    return { changed, removed };
  };

  await sync();
  logger.info('knowledge folder indexed', { dir, documents: documents.size, passages: passages.size });

  let syncing: Promise<void> | undefined;
  let again = false;
  const resync = async (): Promise<void> => {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        try {
          const { changed, removed } = await sync();
          if (changed + removed > 0) {
            logger.info('knowledge folder re-indexed', { dir, changed, removed, passages: passages.size });
          }
        } catch (err) {
          // Never an unhandled rejection from a timer: keep serving the previous index, say why.
          logger.error('knowledge folder not re-indexed: still serving the previous index', { dir, error: err });
        }
      } while (again && !closed);
    })();
    await syncing;
    syncing = undefined;
  };
  const stopWatching = watchFolder(dir, logger, () => void resync());

  return {
    async search(query, { tokenBudget, previousQuestion }) {
      const ranked = fullText.rank(query, previousQuestion, CANDIDATES).map((hit) => hit.id);
      let order = ranked;
      if (embeddings) {
        const text = previousQuestion ? `${previousQuestion}\n${query}` : query;
        const similar = await embeddings.rank(text, CANDIDATES).catch((err: unknown) => {
          logger.warn('query embedding failed: full-text search only', {
            error: err instanceof Error ? err.name : 'error',
          });
          return [];
        });
        order = fuseRankings([ranked, similar]);
      }
      const chosen: Passage[] = [];
      let left = tokenBudget;
      for (const id of order) {
        const passage = passages.get(id);
        if (!passage) continue;
        passage.tokens ||= countTokens(passage.text);
        if (passage.tokens + HEADER_TOKENS > left) continue;
        chosen.push(passage);
        left -= passage.tokens + HEADER_TOKENS;
        if (chosen.length === MAX_PASSAGES) break;
      }
      return chosen;
    },
    documents: () => [...documents.values()].filter((doc) => doc.ids.length > 0).length,
    passages: () => passages.size,
    /** Resolves when no re-indexing or embedding is in progress (for tests and benchmarks). */
    async idle() {
      await syncing;
      await embedding;
      await embeddings?.save();
    },
    close() {
      closed = true;
      stopWatching();
      void embeddings?.save();
    },
  };
}
