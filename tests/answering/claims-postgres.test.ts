import { Claims } from '../../src/answering/claims';
import { StoreHealth } from '../../src/answering/store-health';
import { PostgresStore } from '../../src/store/postgres-store';
import { recordingLogger } from '../helpers/recording-logger';
import { postgresScratch } from '../helpers/scratch-stores';
import { countingClaimFailures, holdClaimsTable } from '../helpers/slow-postgres';
import { until } from '../helpers/until';

const DAY = 86_400_000;
const ID = 'T1:C1:1700000000.000100';
/** A window no slow machine reaches by accident: this case is about deciding, not about outages. */
const DOWN_AFTER_MS = 60_000;

const scratch = postgresScratch('test_claims_slow');
afterAll(() => scratch.drop());

describe('claims on a PostgreSQL server slower than the query timeout', () => {
  jest.setTimeout(30_000);

  it('two instances whose claims of one message time out (and land later) answer it once', async () => {
    const url = scratch.url();
    const stores = [await PostgresStore.create(url), await PostgresStore.create(url)];
    const [a, b] = stores.map(countingClaimFailures);
    const logger = recordingLogger();
    const held = await holdClaimsTable(url);
    try {
      const taking = [a, b].map(({ book }) =>
        new Claims(book, DAY, logger, new StoreHealth(DOWN_AFTER_MS)).take(ID, '{}', 'U1'),
      );
      await until(() => a.failed() > 0 && b.failed() > 0, 20_000);
      await held.release();
      expect((await Promise.all(taking)).filter(Boolean)).toHaveLength(1);
    } finally {
      await held.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
