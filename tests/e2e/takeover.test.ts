import { REFUSALS } from '../../src/answering/wording';
import type { IncomingMessage } from '../../src/conversation/incoming';
import { BOT_TOKEN, type Harness, startHarness, writeContexts } from './harness';
import { answerIn, settle } from './replies';

const HOUR = 3_600_000;

/** Posts as the bot itself, through the fake's Web API, as a dead instance would have. */
async function postAsBot(h: Harness, channel: string, threadTs: string, text: string): Promise<string> {
  const response = await fetch(`${h.slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ channel, thread_ts: threadTs, text }),
  });
  return ((await response.json()) as { ts: string }).ts;
}

/** What a dead instance leaves in the store for a question it claimed: the claim, with the messages it wrote. */
async function leaveClaim(h: Harness, message: IncomingMessage, written: string[] = []): Promise<string> {
  const id = `${message.team}:${message.channel}:${message.ts}`;
  await h.bot.store.claim(id, JSON.stringify(message), Date.now() + HOUR, message.user);
  for (const ts of written) await h.bot.store.noteWritten(id, ts);
  return id;
}

function question(h: Harness, fields: Partial<IncomingMessage> & Pick<IncomingMessage, 'channel' | 'ts' | 'text'>) {
  return { source: 'message', team: h.slack.teamId, channelType: 'im', user: 'U1', ...fields } as IncomingMessage;
}

describe('taking over a question from a dead instance', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('deletes only what that question’s answer had written, never another question’s answer', async () => {
    h = await startHarness({ RECOVERY_STALE_SECONDS: '1' });
    h.openai.respond(() => ({ text: 'The whole answer to the second question.' }));
    // A channel thread as two instances left it (neither message mentions the bot, so the live bot leaves them):
    // a question, another question's answer posted after it by another instance, and the start of this question's
    // answer, cut off when its instance died.
    const root = await h.slack.userMessage({ channel: 'C0TWO', user: 'U2', text: 'the printer again' });
    const asked = await h.slack.userMessage({ channel: 'C0TWO', user: 'U1', text: 'mine too', threadTs: root.ts });
    const otherAnswer = await postAsBot(h, 'C0TWO', root.ts, 'An answer to another question, from another instance.');
    const cutOff = await postAsBot(h, 'C0TWO', root.ts, 'The whole ans');
    const dead = question(h, {
      channel: 'C0TWO',
      channelType: 'channel',
      ts: asked.ts,
      threadTs: root.ts,
      text: 'mine too',
    });
    await leaveClaim(h, dead, [cutOff]);
    await h.slack.waitFor(
      () => h.slack.botReplies('C0TWO', root.ts).some((m) => m.text === 'The whole answer to the second question.'),
      10_000,
    );
    const left = h.slack.botReplies('C0TWO', root.ts).map((m) => m.ts);
    expect(left).toContain(otherAnswer);
    expect(left).not.toContain(cutOff);
    expect(h.openai.requests).toHaveLength(1);
  });

  it('does not answer again a question whose answer was saved but whose claim was never marked complete', async () => {
    h = await startHarness({ RECOVERY_STALE_SECONDS: '1' });
    // The store blipped as the answer finished: the turn is saved, the claim still pending.
    const ts = `${Math.floor(Date.now() / 1000)}.000200`;
    const turns = [
      { role: 'user' as const, text: 'already answered?', ts, user: 'U1' },
      { role: 'assistant' as const, text: 'Yes, here it is.', ts: `${Math.floor(Date.now() / 1000)}.000300` },
    ];
    await h.bot.store.append(`${h.slack.teamId}:D0DONE:${ts}`, turns, Date.now() + HOUR);
    await leaveClaim(h, question(h, { channel: 'D0DONE', ts, text: 'already answered?' }));
    await h.slack.waitFor(
      () => h.logs.entries().some((e) => e.message === 'question taken over was already answered'),
      10_000,
    );
    await settle(300);
    expect(h.openai.requests).toHaveLength(0);
    expect(h.slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);
  });

  it('passes a taken-over question through today’s access rules', async () => {
    const finance = `---\nname: Finance\nchannels: [C0FIN]\nallow_users: [U0ALICE]\n---\nLedger: NetSuite.\n`;
    h = await startHarness({ RECOVERY_STALE_SECONDS: '1', CONTEXTS_DIR: writeContexts({ 'finance.md': finance }) });
    // Asked while U0BOB was still allowed; the context has changed since.
    const asked = await h.slack.userMessage({ channel: 'C0FIN', user: 'U0LATE', text: 'close dates?' });
    await leaveClaim(
      h,
      question(h, {
        channel: 'C0FIN',
        channelType: 'channel',
        source: 'app_mention',
        user: 'U0BOB',
        ts: asked.ts,
        text: '<@UBOT> close dates?',
      }),
    );
    expect(await answerIn(h.slack, 'C0FIN', asked.ts)).toBe(REFUSALS['not-allowed']);
    expect(h.openai.requests).toHaveLength(0);
  });
});
