import { Client } from 'pg';
import { StoreHealth } from '../../src/answering/store-health';
import { createHandoff } from '../../src/desk/handoff';
import { PostgresStore } from '../../src/store/postgres-store';
import type { ClaimBook } from '../../src/store/thread-store';
import { HANDOFF_CLICK, recordingDeskSlack, summarist } from '../helpers/desk-fakes';
import { recordingLogger } from '../helpers/recording-logger';
import { POSTGRES_PORT, postgresScratch } from '../helpers/scratch-stores';
import { until } from '../helpers/until';

const DAY = 86_400_000;
/** A window no slow machine reaches by accident: this case is about deciding, not about outages. */
const DOWN_AFTER_MS = 60_000;

const scratch = postgresScratch('test_handoff_slow');
afterAll(() => scratch.drop());

/** The store's claim calls as one instance makes them, counting those that failed. */
function counted(store: PostgresStore) {
  let failed = 0;
  const count = <T>(call: Promise<T>) =>
    call.catch((err: unknown) => {
      failed++;
      throw err;
    });
  const claims: Pick<ClaimBook, 'claim' | 'reclaim' | 'complete'> = {
    claim: (...args) => count(store.claim(...args)),
    reclaim: (...args) => count(store.reclaim(...args)),
    complete: (id) => store.complete(id),
  };
  return { claims, failed: () => failed };
}

describe('handoffs on a PostgreSQL server slower than the query timeout', () => {
  jest.setTimeout(30_000);

  it('two instances whose claims of one thread time out (and land later) post it once', async () => {
    const url = scratch.url();
    const stores = [await PostgresStore.create(url), await PostgresStore.create(url)];
    const slack = recordingDeskSlack();
    const instances = stores.map((store) => {
      const reached = counted(store);
      const handOff = createHandoff({
        book: store.desk,
        claims: reached.claims,
        history: store,
        writer: slack.writer,
        side: slack.side,
        llm: summarist,
        logger: recordingLogger(),
        retentionMs: DAY,
        webhookUrl: () => undefined,
        storeHealth: new StoreHealth(DOWN_AFTER_MS),
      });
      return { handOff, failed: reached.failed };
    });
    const locker = new Client(`postgres://postgres@127.0.0.1:${POSTGRES_PORT}/test`);
    await locker.connect();
    try {
      // Another session holds the claims table: both claims wait past their 2 s timeout, and go through once it
      // lets go (the server runs them although their clients gave up).
      const schema = new URL(url).searchParams.get('schema');
      await locker.query(`BEGIN; LOCK TABLE "${schema}".claims IN EXCLUSIVE MODE`);
      const handing = instances.map(({ handOff }) => handOff(HANDOFF_CLICK));
      await until(() => instances.every(({ failed }) => failed() > 0), 20_000);
      await locker.query('COMMIT');
      expect((await Promise.all(handing)).sort()).toEqual(['already', 'handed-off']);
      expect(slack.escalations).toHaveLength(1);
    } finally {
      await locker.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
