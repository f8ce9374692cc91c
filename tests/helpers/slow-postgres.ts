import { Client } from 'pg';
import type { PostgresStore } from '../../src/store/postgres-store';
import type { ClaimBook } from '../../src/store/thread-store';
import { POSTGRES_PORT } from './scratch-stores';

/** The store's claim book as one instance reaches it, counting its claim calls that failed. */
export function countingClaimFailures(store: PostgresStore) {
  let failed = 0;
  const count = <T>(call: Promise<T>) =>
    call.catch((err: unknown) => {
      failed++;
      throw err;
    });
  const book: ClaimBook = {
    claim: (...args) => count(store.claim(...args)),
    reclaim: (...args) => count(store.reclaim(...args)),
    noteWritten: (id, ts) => store.noteWritten(id, ts),
    complete: (id) => store.complete(id),
    touch: (ids) => store.touch(ids),
    takeStale: (staleMs) => store.takeStale(staleMs),
  };
  return { book, failed: () => failed };
}

/**
 * Another session holding the claims table of the store at `url`: claims wait past their client's 2 s timeout, and go
 * through once `release()` lets go (the server runs them although their clients gave up). `end()` closes the session.
 */
export async function holdClaimsTable(url: string) {
  const locker = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
  await locker.connect();
  const schema = new URL(url).searchParams.get('schema');
  await locker.query(`BEGIN; LOCK TABLE "${schema}".claims IN EXCLUSIVE MODE`);
  return { release: () => locker.query('COMMIT').then(() => undefined), end: () => locker.end() };
}
