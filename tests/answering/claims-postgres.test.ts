import { Client } from 'pg';
import { Claims } from '../../src/answering/claims';
import { StoreHealth } from '../../src/answering/store-health';
import { PostgresStore } from '../../src/store/postgres-store';
import type { ClaimBook } from '../../src/store/thread-store';
import { recordingLogger } from '../helpers/recording-logger';
import { POSTGRES_PORT, postgresScratch } from '../helpers/scratch-stores';
import { until } from '../helpers/until';

const DAY = 86_400_000;
const ID = 'T1:C1:1700000000.000100';
/** A window no slow machine reaches by accident: this case is about deciding, not about outages. */
const DOWN_AFTER_MS = 60_000;

const scratch = postgresScratch('test_claims_slow');
afterAll(() => scratch.drop());

/** The store as one instance reaches it, counting its claim calls that failed. */
function counted(store: PostgresStore) {
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

describe('claims on a PostgreSQL server slower than the query timeout', () => {
  jest.setTimeout(30_000);

  it('two instances whose claims of one message time out (and land later) answer it once', async () => {
    const url = scratch.url();
    const stores = [await PostgresStore.create(url), await PostgresStore.create(url)];
    const [a, b] = stores.map(counted);
    const logger = recordingLogger();
    const locker = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
    await locker.connect();
    try {
      // Another session holds the claims table: both claims wait past their 2 s timeout, and go through once it
      // lets go (the server runs them although their clients gave up).
      const schema = new URL(url).searchParams.get('schema');
      await locker.query(`BEGIN; LOCK TABLE "${schema}".claims IN EXCLUSIVE MODE`);
      const taking = [a, b].map(({ book }) =>
        new Claims(book, DAY, logger, new StoreHealth(DOWN_AFTER_MS)).take(ID, '{}', 'U1'),
      );
      await until(() => a.failed() > 0 && b.failed() > 0, 20_000);
      await locker.query('COMMIT');
      expect((await Promise.all(taking)).filter(Boolean)).toHaveLength(1);
    } finally {
      await locker.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
