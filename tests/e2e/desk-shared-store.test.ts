import { handedOff } from '../../src/answering/wording';
import { HANDOFF_ACTION_ID } from '../../src/desk/answer-blocks';
import { lastUserText } from '../helpers/fake-openai';
import { postgresScratch, redisScratch, type Scratch } from '../helpers/scratch-stores';
import { click, DESK_CONTEXTS } from './desk-helpers';
import { type Harness, startHarness, writeContexts } from './harness';
import { answerIn, settle } from './replies';

const BOT = 'UBOT';

// What the desk decided about a thread lives in the shared store: another instance, and a restart, keep to it.
describe.each([
  ['Redis', () => redisScratch('desk-e2e')],
  ['PostgreSQL', () => postgresScratch('desk_e2e')],
])('the desk on %s, across instances and a restart', (_name, makeScratch: () => Scratch) => {
  let h: Harness;
  let scratch: Scratch;
  beforeEach(async () => {
    scratch = makeScratch();
    h = await startHarness({ CONTEXTS_DIR: writeContexts(DESK_CONTEXTS), STORE_URL: scratch.url() });
  });
  afterEach(async () => {
    await h.close();
    await scratch.drop();
  });

  it('keeps quiet after a handoff on every instance, and after a restart', async () => {
    const { ts } = await h.slack.userMessage({
      channel: 'C0IT',
      user: 'U1',
      text: `<@${BOT}> my laptop will not boot`,
    });
    await answerIn(h.slack, 'C0IT', ts);
    const answer = h.slack.botReplies('C0IT', ts)[0];
    await h.slack.interaction(
      click(h.slack, { user: 'U1', channel: 'C0IT', actionId: HANDOFF_ACTION_ID, message: answer }),
    );
    await h.slack.waitFor(() => h.slack.botReplies('C0IT', ts).some((m) => m.text === handedOff('<!subteam^S0HELP>')));
    await h.startBot();
    await h.bot.stop();
    await h.slack.waitFor(() => h.slack.connectionCount() === 1);
    // Every follow-up now reaches the second instance (the first is stopped): none is answered without a mention.
    await h.slack.userMessage({
      channel: 'C0IT',
      user: 'U1',
      text: 'it shows a folder with a question mark',
      threadTs: ts,
    });
    await h.slack.userMessage({ channel: 'C0IT', user: 'U1', text: 'any news?', threadTs: ts });
    const sentinel = await h.slack.userMessage({ channel: 'D0SENTINEL', user: 'U9', text: 'ping' });
    await answerIn(h.slack, 'D0SENTINEL', sentinel.ts);
    await settle(200);
    expect(h.openai.requests.some((r) => lastUserText(r).includes('any news'))).toBe(false);
    expect(h.openai.requests.some((r) => lastUserText(r).includes('question mark'))).toBe(false);
  });
});
