/** Every knowledge folder the contexts name, each opened once (on first use) and kept indexed until the bot stops. */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';
import type * as KnowledgeBaseModule from './knowledge-base';
import type { Embed, ReadPdf } from './passage';

/** What the library opens folders with; built once in the composition root. */
export interface KnowledgeLibraryOptions {
  logger: Logger;
  /** Set when OPENAI_EMBEDDING_MODEL is: hybrid search. */
  embed?: Embed;
  /** Where each folder's embedding cache file goes (one per folder and model). */
  cacheDir: string;
  readPdf?: ReadPdf;
}

/** An open folder; `idle()` resolves once re-indexing and embedding have caught up (tests, benchmarks). */
export type OpenKnowledgeBase = Awaited<ReturnType<typeof KnowledgeBaseModule.openKnowledgeBase>>;

/** The open knowledge bases, by folder. */
export interface KnowledgeLibrary {
  /** The folder's knowledge base, opened and indexed on first use; later calls share it. */
  folder(dir: string): Promise<OpenKnowledgeBase>;
  /** Opens every folder in `dirs` now (at start), so that the first question does not wait for indexing. */
  prepare(dirs: Iterable<string>): Promise<void>;
  /** Stops watching every folder; a folder still opening is closed as soon as it is open. */
  close(): void;
}

/** "it-docs-3f9a…json": readable, and distinct per folder path and embedding model. */
export function cacheFileName(dir: string, model: string | undefined): string {
  const hash = createHash('sha256')
    .update(`${dir}\n${model ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  const name = path.basename(dir).replace(/[^\w.-]+/g, '_') || 'knowledge';
  return `${name}-${hash}.json`;
}

/** Opens folders lazily, so that a context added by a reload gets its folder on its first question. */
export function createKnowledgeLibrary(options: KnowledgeLibraryOptions): KnowledgeLibrary {
  const { logger, embed, readPdf } = options;
  const opened = new Map<string, Promise<OpenKnowledgeBase>>();
  let closed = false;

  const open = async (dir: string): Promise<OpenKnowledgeBase> => {
    let embeddingCacheFile: string | undefined;
    if (embed) {
      await mkdir(options.cacheDir, { recursive: true });
      embeddingCacheFile = path.join(options.cacheDir, cacheFileName(dir, embed.model));
    }
    // Loaded with the first folder: search, indexing and document parsing cost nothing to a bot without knowledge.
    const { openKnowledgeBase } = require('./knowledge-base') as typeof KnowledgeBaseModule;
    return openKnowledgeBase({ dir, logger, embed, embeddingCacheFile, readPdf });
  };

  const folder = (dir: string): Promise<OpenKnowledgeBase> => {
    if (closed) return Promise.reject(new Error('the knowledge library is closed'));
    const key = path.resolve(dir);
    let base = opened.get(key);
    if (!base) {
      base = open(key);
      opened.set(key, base);
      // A folder that failed to open (deleted, unreadable) is tried again on the next question.
      base.catch(() => opened.delete(key));
    }
    return base;
  };

  return {
    folder,
    async prepare(dirs) {
      await Promise.all(
        [...new Set(dirs)].map((dir) =>
          folder(dir).catch((err: unknown) =>
            logger.error('knowledge folder could not be opened', { dir, error: (err as Error).message }),
          ),
        ),
      );
    },
    close() {
      closed = true;
      for (const base of opened.values()) base.then((b) => b.close()).catch(() => undefined);
    },
  };
}
