import { HOME_FOR_EVERYONE, OFFER_PERSON } from '../../src/answering/wording';
import { HANDOFF_ACTION_ID, RESOLVED_ACTION_ID } from '../../src/desk/answer-blocks';
import { RESOLVED_REACTION } from '../../src/desk/desk';
import { FEEDBACK_ACTION_ID } from '../../src/slack/feedback';
import { click, DESK_CONTEXTS } from './desk-helpers';
import { type Harness, startHarness, writeContexts } from './harness';
import { answerIn, eventually, settle } from './replies';

const BOT = 'UBOT';

describe('the desk in a thread: stepping back, resolution, feedback, records, Home tab', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ CONTEXTS_DIR: writeContexts(DESK_CONTEXTS), DESK_ADMINS: 'U0ADMIN, U0BOSS' });
  });
  afterEach(async () => {
    await h.close();
  });

  async function ask(channel: string, text: string, user = 'U1') {
    const { ts } = await h.slack.userMessage({ channel, user, text: `<@${BOT}> ${text}` });
    await answerIn(h.slack, channel, ts);
    return { ts, answer: h.slack.botReplies(channel, ts)[0] };
  }

  /** Sends a follow-up in the thread and says whether the model was asked to answer it. */
  async function followUp(channel: string, ts: string, text: string, user = 'U1'): Promise<boolean> {
    const before = h.openai.requests.length;
    const replies = h.slack.botReplies(channel, ts).length;
    await h.slack.userMessage({ channel, user, text, threadTs: ts });
    // A DM elsewhere, answered after the follow-up was handled: then nothing more can come for the follow-up.
    const sentinel = await h.slack.userMessage({ channel: 'D0SENTINEL', user: 'U9', text: 'ping' });
    await answerIn(h.slack, 'D0SENTINEL', sentinel.ts);
    await settle(100);
    return h.openai.requests.length - before > 1 || h.slack.botReplies(channel, ts).length > replies;
  }

  it('steps back once another person helps in the thread, until mentioned again', async () => {
    const { ts } = await ask('C0IT', 'my printer jams');
    expect(await followUp('C0IT', ts, 'still jams after cleaning')).toBe(true);
    await h.slack.userMessage({ channel: 'C0IT', user: 'U0TECH', text: "I'll come by your desk", threadTs: ts });
    expect(await followUp('C0IT', ts, 'thanks, I am at desk 12')).toBe(false);
    expect(await followUp('C0IT', ts, `<@${BOT}> what is the model of this printer?`)).toBe(true);
    expect(await h.bot.store.desk.thread(`${h.slack.teamId}:C0IT:${ts}`)).toMatchObject({ steppedBack: true });
  });

  it('keeps answering after a helper writes where the context says step_back: false', async () => {
    const { ts } = await ask('C0LAB', 'where is the printer');
    await h.slack.userMessage({ channel: 'C0LAB', user: 'U0TECH', text: 'floor 3, by the window', threadTs: ts });
    expect(await followUp('C0LAB', ts, 'and the colour one?')).toBe(true);
  });

  it("resolves on the asker's ✅ on an answer, acknowledged with a reaction, then answers only when mentioned", async () => {
    const { ts, answer } = await ask('C0IT', 'how do I connect to the VPN');
    const reaction = (user: string) => ({
      type: 'reaction_added',
      user,
      reaction: 'white_check_mark',
      item_user: BOT,
      item: { type: 'message', channel: 'C0IT', ts: answer.ts },
      event_ts: `${Date.now() / 1000}`,
    });
    await h.slack.systemEvent(reaction('U0OTHER'));
    await settle(200);
    expect(h.slack.desk.reactions).toEqual([]);
    await h.slack.systemEvent(reaction('U1'));
    await h.slack.waitFor(() => h.slack.desk.reactions.includes(`C0IT/${answer.ts}/${RESOLVED_REACTION}`));
    expect(await followUp('C0IT', ts, 'one more thing')).toBe(false);
    expect(await followUp('C0IT', ts, `<@${BOT}> one more thing`)).toBe(true);
  });

  it("resolves on the asker's ✅ on the thread's first message", async () => {
    const { ts } = await ask('C0IT', 'teams camera is black');
    await h.slack.systemEvent({
      type: 'reaction_added',
      user: 'U1',
      reaction: 'heavy_check_mark',
      item_user: 'U1',
      item: { type: 'message', channel: 'C0IT', ts },
      event_ts: `${Date.now() / 1000}`,
    });
    await h.slack.waitFor(() => h.slack.desk.reactions.includes(`C0IT/${ts}/${RESOLVED_REACTION}`));
    expect(await h.bot.store.desk.thread(`${h.slack.teamId}:C0IT:${ts}`)).toMatchObject({ resolved: true });
  });

  it('resolves with the Resolved button', async () => {
    const { ts, answer } = await ask('C0IT', 'reset my password');
    await h.slack.interaction(
      click(h.slack, { user: 'U1', channel: 'C0IT', actionId: RESOLVED_ACTION_ID, message: answer }),
    );
    await h.slack.waitFor(() => h.slack.desk.reactions.includes(`C0IT/${answer.ts}/${RESOLVED_REACTION}`));
    expect(await h.bot.store.desk.thread(`${h.slack.teamId}:C0IT:${ts}`)).toMatchObject({ resolved: true });
  });

  it('stores feedback, a second click replacing the first, and offers a person after a 👎', async () => {
    const since = Date.now();
    const { ts, answer } = await ask('C0IT', 'wifi is slow');
    const rate = (value: string) =>
      h.slack.interaction(
        click(h.slack, { user: 'U1', channel: 'C0IT', actionId: FEEDBACK_ACTION_ID, value, message: answer }),
      );
    await rate('not_helpful');
    const offer = await h.slack.waitFor(() => h.slack.desk.ephemerals[0]);
    expect(offer).toMatchObject({ channel: 'C0IT', user: 'U1', text: OFFER_PERSON, threadTs: ts });
    expect(JSON.stringify(offer.blocks)).toContain(HANDOFF_ACTION_ID);
    await rate('helpful');
    const stored = await eventually(
      () => h.bot.store.desk.feedbackSince(since),
      (records) => records[0]?.value === 'up',
    );
    expect(stored).toEqual([
      { channel: 'C0IT', answerTs: answer.ts, user: 'U1', value: 'up', context: 'IT desk', at: expect.any(Number) },
    ]);
  });

  it('leaves one record per question, without its text', async () => {
    const since = Date.now();
    h.openai.enqueue({ text: 'Use the portal.', usage: { input: 1500, cached: 1024, output: 40 } });
    const { ts, answer } = await ask('C0IT', 'secret project falcon password reset');
    const [record] = await eventually(
      () => h.bot.store.desk.questionsSince(since),
      (records) => records.length > 0,
    );
    expect(record).toMatchObject({
      thread: `${h.slack.teamId}:C0IT:${ts}`,
      ts,
      answerTs: answer.ts,
      context: 'IT desk',
      channelKind: 'channel',
      outcome: 'answered',
      tokensIn: 1500,
      tokensCached: 1024,
      tokensOut: 40,
      files: 0,
    });
    expect(record.firstVisibleMs).toBeGreaterThanOrEqual(0);
    expect(record.durationMs).toBeGreaterThanOrEqual(record.firstVisibleMs ?? 0);
    expect(JSON.stringify(record)).not.toContain('falcon');
  });

  it('shows desk admins the figures on the Home tab, and everyone else a few words', async () => {
    await ask('C0IT', 'printer offline');
    const open = (user: string) =>
      h.slack.systemEvent({
        type: 'app_home_opened',
        user,
        channel: 'D0HOME',
        tab: 'home',
        event_ts: `${Date.now() / 1000}`,
      });
    await open('U0ADMIN');
    await open('U1');
    const admin = JSON.stringify(await h.slack.waitFor(() => h.slack.desk.homes.get('U0ADMIN')));
    expect(admin).toContain('Last 7 days');
    expect(admin).toContain('Last 30 days');
    expect(admin).toContain('*IT desk*: 1 questions, 1 answered');
    const other = JSON.stringify(await h.slack.waitFor(() => h.slack.desk.homes.get('U1')));
    expect(other).toContain(HOME_FOR_EVERYONE.slice(0, 40));
    expect(other).not.toContain('IT desk');
  });

  it('logs one clear line at start when the bot is not in an escalation channel', async () => {
    h.slack.setChannel('C0ESC', { is_member: false });
    const { logs } = await h.startBot();
    const line = await h.slack.waitFor(() =>
      logs.entries().find((e) => String(e.message).includes('escalation channel')),
    );
    expect(line).toMatchObject({ level: 'warn', channel: 'C0ESC' });
  });
});
