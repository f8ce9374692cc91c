import { StoreHealth } from '../../src/answering/store-health';
import { createHandoff } from '../../src/desk/handoff';
import { PostgresStore } from '../../src/store/postgres-store';
import { HANDOFF_CLICK, recordingDeskSlack, summarist } from '../helpers/desk-fakes';
import { recordingLogger } from '../helpers/recording-logger';
import { postgresScratch } from '../helpers/scratch-stores';
import { countingClaimFailures, holdClaimsTable } from '../helpers/slow-postgres';
import { until } from '../helpers/until';

const DAY = 86_400_000;
/** A window no slow machine reaches by accident: this case is about deciding, not about outages. */
const DOWN_AFTER_MS = 60_000;

const scratch = postgresScratch('test_handoff_slow');
afterAll(() => scratch.drop());

describe('handoffs on a PostgreSQL server slower than the query timeout', () => {
  jest.setTimeout(30_000);

  it('two instances whose claims of one thread time out (and land later) post it once', async () => {
    const url = scratch.url();
    const stores = [await PostgresStore.create(url), await PostgresStore.create(url)];
    const slack = recordingDeskSlack();
    const instances = stores.map((store) => {
      const reached = countingClaimFailures(store);
      const handOff = createHandoff({
        book: store.desk,
        claims: reached.book,
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
    const held = await holdClaimsTable(url);
    try {
      const handing = instances.map(({ handOff }) => handOff(HANDOFF_CLICK));
      await until(() => instances.every(({ failed }) => failed() > 0), 20_000);
      await held.release();
      expect((await Promise.all(handing)).sort()).toEqual(['already', 'handed-off']);
      expect(slack.escalations).toHaveLength(1);
    } finally {
      await held.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
