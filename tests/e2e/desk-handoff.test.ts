import { handedOff, NO_ESCALATION, OWN_WORDS } from '../../src/answering/wording';
import { HANDOFF_ACTION_ID, RESOLVED_ACTION_ID } from '../../src/desk/answer-blocks';
import { scratchDir } from '../helpers/scratch-dir';
import { click, DESK_CONTEXTS, startWebhookReceiver } from './desk-helpers';
import { type Harness, startHarness, writeContexts } from './harness';
import { answerIn, settle } from './replies';

const BOT = 'UBOT';
const MENTION = '<!subteam^S0HELP>';

describe('handing a thread to a person', () => {
  let h: Harness;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeEach(async () => {
    // The first delivery fails: the handoff is retried until the receiver takes it.
    webhook = await startWebhookReceiver([500]);
    h = await startHarness({
      CONTEXTS_DIR: writeContexts(DESK_CONTEXTS),
      STORE_URL: `sqlite:${scratchDir('desk-store')}/bot.db`,
      DESK_WEBHOOK_URL: webhook.url,
    });
  });
  afterEach(async () => {
    await h.close();
    await webhook.close();
  });

  async function askAndAnswer(text: string) {
    const { ts } = await h.slack.userMessage({ channel: 'C0IT', user: 'U1', text: `<@${BOT}> ${text}` });
    await answerIn(h.slack, 'C0IT', ts);
    return { ts, answer: h.slack.botReplies('C0IT', ts)[0] };
  }

  it('puts "Talk to a person" and "Resolved" under answers, and hands off once on a click', async () => {
    h.openai.enqueue({ text: 'Reinstall GlobalProtect.' });
    const { ts, answer } = await askAndAnswer('my VPN drops every hour, I tried reconnecting');
    const ids = JSON.stringify(answer.blocks);
    expect(ids).toContain(HANDOFF_ACTION_ID);
    expect(ids).toContain(RESOLVED_ACTION_ID);

    h.openai.enqueue({ text: 'VPN drops hourly; reconnecting did not help. Not urgent.' });
    const second = await h.startBot();
    const press = click(h.slack, { user: 'U1', channel: 'C0IT', actionId: HANDOFF_ACTION_ID, message: answer });
    // Two clicks reach two instances (Socket Mode spreads envelopes over connections): one handoff.
    await h.slack.interaction(press);
    await h.slack.interaction(press);
    const posted = await h.slack.waitFor(() => {
      const found = h.slack.callsFor('chat.postMessage').filter((c) => c.args.channel === 'C0ESC');
      return found.length > 0 ? found : undefined;
    });
    const text = String(posted[0].args.text);
    expect(text).toContain(MENTION);
    expect(text).toContain('<@U1>');
    expect(text).toContain(`https://fake.slack.com/archives/C0IT/p${ts.replace('.', '')}`);
    expect(text).toContain('VPN drops hourly; reconnecting did not help. Not urgent.');
    await h.slack.waitFor(() => h.slack.botReplies('C0IT', ts).some((m) => m.text === handedOff(MENTION)));
    await h.slack.waitFor(() => webhook.bodies.length === 2);
    expect(webhook.bodies[1]).toMatchObject({
      type: 'handoff',
      context: 'IT desk',
      channel: 'C0IT',
      thread_ts: ts,
      asker: 'U1',
      summary: 'VPN drops hourly; reconnecting did not help. Not urgent.',
    });
    await settle(300);
    expect(h.slack.callsFor('chat.postMessage').filter((c) => c.args.channel === 'C0ESC')).toHaveLength(1);
    const logs = [...h.logs.lines, ...second.logs.lines].join('\n');
    expect(logs).not.toContain('abc123');
  });

  it('recognises "I need a human" without the model, quoting the asker when the summary fails', async () => {
    h.openai.enqueue({ text: 'Try restarting.' });
    const { ts } = await askAndAnswer('Outlook crashes on start since this morning');
    const asked = h.openai.requests.length;
    h.openai.enqueue({ status: 500 }, { status: 500 });
    await h.slack.userMessage({ channel: 'C0IT', user: 'U1', text: 'I need a human', threadTs: ts });
    await h.slack.waitFor(() => h.slack.botReplies('C0IT', ts).some((m) => m.text === handedOff(MENTION)));
    const text = String(h.slack.callsFor('chat.postMessage').find((c) => c.args.channel === 'C0ESC')?.args.text);
    expect(text).toContain(OWN_WORDS);
    expect(text).toContain('> <@UBOT> Outlook crashes on start since this morning');
    expect(text).toContain('> I need a human');
    // Only the (failed) summary went to the model: the phrase itself was never answered.
    expect(h.openai.requests.length).toBe(asked + 1);

    await h.slack.userMessage({ channel: 'C0IT', user: 'U1', text: `<@${BOT}> talk to a person please`, threadTs: ts });
    await settle(400);
    expect(h.slack.callsFor('chat.postMessage').filter((c) => c.args.channel === 'C0ESC')).toHaveLength(1);
  });

  it("recognises the context's own phrases", async () => {
    h.openai.enqueue({ status: 500 });
    const { ts } = await h.slack.userMessage({
      channel: 'C0IT',
      user: 'U2',
      text: `<@${BOT}> je veux parler à quelqu'un`,
    });
    await h.slack.waitFor(() => h.slack.botReplies('C0IT', ts).some((m) => m.text === handedOff(MENTION)));
  });

  it('says where to get help where the context has no escalation channel, and offers no button', async () => {
    h.openai.enqueue({ text: 'Badges are at reception.' });
    const { ts } = await h.slack.userMessage({ channel: 'C0FAC', user: 'U1', text: `<@${BOT}> lost my badge` });
    await answerIn(h.slack, 'C0FAC', ts);
    const blocks = JSON.stringify(h.slack.botReplies('C0FAC', ts)[0].blocks);
    expect(blocks).not.toContain(HANDOFF_ACTION_ID);
    expect(blocks).toContain(RESOLVED_ACTION_ID);
    await h.slack.userMessage({ channel: 'C0FAC', user: 'U1', text: 'can I talk to a person?', threadTs: ts });
    await h.slack.waitFor(() =>
      h.slack.botReplies('C0FAC', ts).some((m) => m.text === 'Call the facilities desk on 555-0100.'),
    );
    // Without any escalation settings, the plain sentence.
    const dm = await h.slack.userMessage({ channel: 'D0U1', user: 'U1', text: 'escalate' });
    await h.slack.waitFor(() => h.slack.botReplies('D0U1', dm.ts).some((m) => m.text === NO_ESCALATION));
  });
});
