/** Lists a knowledge folder's documents with a signature that changes when a file (or its sidecar) does. */
import { type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger';
import { kindOf, SIDECAR_SUFFIX } from './read-document';

/** Editors save in bursts (temp file, rename, chmod): wait for the burst to end before re-indexing. */
const DEBOUNCE_MS = 100;

/** A document file: its id (relative path with `/`), absolute path, and change signature. */
export interface FolderFile {
  docId: string;
  file: string;
  signature: string;
}

const hidden = (relative: string) => relative.split(path.sep).some((part) => /^[._]/.test(part));

async function signatureOf(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const sidecar = await stat(file + SIDECAR_SUFFIX).catch(() => undefined);
  return `${info.mtimeMs}:${info.size}:${sidecar ? `${sidecar.mtimeMs}:${sidecar.size}` : ''}`;
}

/** Every supported file under `dir`, sub-folders included; `.`/`_` names (drafts, editor files) are skipped. */
export async function listDocuments(dir: string): Promise<FolderFile[]> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => kindOf(name) && !hidden(name)).sort();
  const files = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const signature = await signatureOf(file);
      return signature ? { docId: name.split(path.sep).join('/'), file, signature } : undefined;
    }),
  );
  return files.filter((entry): entry is FolderFile => entry !== undefined);
}

/** Calls `onChange` (debounced) when anything under `dir` changes; returns the stop function. */
export function watchFolder(dir: string, logger: Logger, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, DEBOUNCE_MS);
    timer.unref();
  };
  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: watching must never be what keeps the process (or a test run) alive.
    watcher = watch(dir, { recursive: true, persistent: false }, schedule);
    watcher.on('error', (err) => {
      logger.error('stopped watching a knowledge folder: edits now need a restart', { dir, error: err });
      watcher?.close();
    });
  } catch (err) {
    logger.warn('cannot watch a knowledge folder: edits need a restart', { dir, error: err });
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
