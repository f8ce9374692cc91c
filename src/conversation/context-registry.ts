import { type FSWatcher, watch } from 'node:fs';
import { ContextError } from '../errors';
import type { Logger } from '../logger';
import type { ContextRegistry } from './context';
import { shown } from './context-file';
import { type ContextSet, contextFor } from './context-set';
import { readContexts } from './read-contexts';

/** Editors save in bursts (temp file, rename, chmod): wait for the burst to end before reloading. */
const DEBOUNCE_MS = 100;
const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_]+\s*\}\}/g;

function warnAboutGaps(set: ContextSet, logger: Logger): void {
  if (!set.fallback) {
    logger.warn('no default context (one without channels): DMs and unclaimed channels get no answer');
  }
  for (const context of set.contexts) {
    const placeholders = [...new Set(context.text.match(PLACEHOLDER) ?? [])];
    if (placeholders.length > 0) {
      logger.warn('context still has placeholders to fill in', { file: shown(context.file), placeholders });
    }
  }
}

/**
 * Loads every context in `dir` and keeps them current: file changes are picked up without a restart. Rejects with
 * one ContextError listing every problem in every file; later, a bad edit is logged and the previous set kept.
 */
export async function loadContexts(dir: string, logger: Logger): Promise<ContextRegistry> {
  const first = await readContexts(dir);
  if (!first.ok) {
    throw new ContextError(`Invalid contexts in CONTEXTS_DIR (${dir}):\n  - ${first.problems.join('\n  - ')}`);
  }
  let current = first.set;
  let signature = first.signature;
  const names = () => current.contexts.map((context) => context.name);
  logger.info('contexts loaded', { dir, contexts: names(), default: current.fallback?.name });
  warnAboutGaps(current, logger);

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reloading = false;
  let again = false;

  const reload = async (): Promise<void> => {
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    try {
      const next = await readContexts(dir);
      if (closed || next.signature === signature) return;
      signature = next.signature;
      if (!next.ok) {
        logger.error('contexts not reloaded: still serving the previous set', { dir, problems: next.problems });
      } else {
        current = next.set;
        logger.info('contexts reloaded', { contexts: names(), default: current.fallback?.name });
        warnAboutGaps(current, logger);
      }
    } catch (err) {
      // Never an unhandled rejection from a timer: keep serving, say why.
      logger.error('contexts not reloaded: still serving the previous set', { dir, error: err });
    } finally {
      reloading = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), DEBOUNCE_MS);
    timer.unref();
  }

  let watcher: FSWatcher | undefined;
  try {
    // Not persistent: watching must never be what keeps the process (or a test run) alive.
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (err) => {
      logger.error('stopped watching contexts: edits now need a restart', { dir, error: err });
      watcher?.close();
    });
  } catch (err) {
    logger.warn('cannot watch contexts: edits need a restart', { dir, error: err });
  }

  return {
    forChannel: (channelId, isDm) => contextFor(current, channelId, isDm),
    all: () => [...current.contexts],
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
