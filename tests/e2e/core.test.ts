import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { lastUserText, messagesOf, promptText } from '../helpers/fake-openai';
import { scratchDir } from '../helpers/scratch-dir';
import { type Harness, startHarness, writeContexts } from './harness';

const BOT = 'UBOT';

describe('the support bot, end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** Waits for the bot's finished (not streaming) replies in a thread and returns their joined text. */
  async function answerIn(channel: string, threadTs: string, count = 1): Promise<string> {
    const replies = await h.slack.waitFor(() => {
      const found = h.slack.botReplies(channel, threadTs);
      return found.length >= count && found.every((m) => !m.streaming) ? found : undefined;
    }, 10_000);
    return replies.map((m) => m.text).join('\n');
  }

  it('answers a DM in a thread, streaming natively, shaped by the context', async () => {
    h.openai.enqueue({ text: 'Open GlobalProtect and click Connect.', chunkChars: 5, deltaDelayMs: 5 });
    const { ts } = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'How do I use the VPN?' });
    expect(await answerIn('D0USER1', ts)).toContain('Open GlobalProtect and click Connect.');
    const request = h.openai.requests[0];
    expect(promptText(request)).toContain('The VPN client is GlobalProtect');
    expect(lastUserText(request)).toBe('How do I use the VPN?');
    expect(h.slack.callsFor('chat.startStream')[0].args).toMatchObject({ channel: 'D0USER1', thread_ts: ts });
    expect(h.slack.callsFor('chat.stopStream')).toHaveLength(1);
    expect(h.slack.callsFor('assistant.threads.setStatus')[0].args).toMatchObject({
      channel_id: 'D0USER1',
      thread_ts: ts,
    });
  });

  it('answers a mention once although Slack delivers it twice, in the message thread', async () => {
    const { ts, eventIds } = await h.slack.userMessage({
      channel: 'C0GENERAL',
      user: 'U1',
      text: `<@${BOT}> printer?`,
    });
    expect(eventIds).toHaveLength(2);
    await answerIn('C0GENERAL', ts);
    await h.slack.userMessage({ channel: 'D0SENTINEL', user: 'U9', text: 'ping' });
    await h.slack.waitFor(() => h.openai.requests.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.botReplies('C0GENERAL', ts)).toHaveLength(1);
    expect(h.openai.requests.filter((r) => lastUserText(r).includes('printer?'))).toHaveLength(1);
    const start = h.slack.callsFor('chat.startStream')[0].args;
    expect(start).toMatchObject({ recipient_user_id: 'U1', recipient_team_id: h.slack.teamId });
  });

  it('answers follow-ups in its thread without a new mention, with the history in the request', async () => {
    h.openai.enqueue({ text: 'Restart the laptop first.' }, { text: 'Then reinstall the client.' });
    const { ts } = await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U1', text: `<@${BOT}> VPN is down` });
    await answerIn('C0GENERAL', ts);
    await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U1', text: 'still down', threadTs: ts });
    await answerIn('C0GENERAL', ts, 2);
    const sent = messagesOf(h.openai.requests[1]).map((m) => `${m.role}: ${m.content}`);
    expect(sent).toEqual([`user: <@${BOT}> VPN is down`, 'assistant: Restart the laptop first.', 'user: still down']);
  });

  it('stays out of conversations that are not for it', async () => {
    const unrelated = await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U1', text: 'lunch at noon?' });
    const strangerThread = await h.slack.userMessage({
      channel: 'C0GENERAL',
      user: 'U2',
      text: 'hi',
      threadTs: unrelated.ts,
    });
    const fromBot = await h.slack.userMessage({ channel: 'D0USER1', user: 'U7', botId: 'B0OTHER', text: 'beep' });
    await h.slack.systemEvent({
      type: 'message',
      subtype: 'message_changed',
      channel: 'D0USER1',
      ts: '1.2',
      message: { text: 'edited', user: 'U1' },
    });
    await h.slack.systemEvent({
      type: 'message',
      subtype: 'channel_join',
      channel: 'C0GENERAL',
      user: 'U3',
      ts: '1.3',
      text: 'joined',
    });
    const sentinel = await h.slack.userMessage({ channel: 'D0USER2', user: 'U2', text: 'are you there?' });
    await answerIn('D0USER2', sentinel.ts);
    expect(h.openai.requests).toHaveLength(1);
    expect(h.slack.botReplies('C0GENERAL', unrelated.ts)).toHaveLength(0);
    expect(h.slack.botReplies('C0GENERAL', strangerThread.ts)).toHaveLength(0);
    expect(h.slack.botReplies('D0USER1', fromBot.ts)).toHaveLength(0);
  });

  it('answers every top-level message in a reply: all channel with that context only', async () => {
    const { ts } = await h.slack.userMessage({ channel: 'C0HR', user: 'U1', text: 'how many holidays do I get?' });
    await answerIn('C0HR', ts);
    const instructions = promptText(h.openai.requests[0]);
    expect(instructions).toContain('Holidays: 25 days');
    expect(instructions).not.toContain('GlobalProtect');
  });

  it('gives a redelivered event no second answer', async () => {
    h.openai.enqueue({ text: 'First and only answer.', ttftMs: 100 });
    const { ts, eventIds } = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'reset my password' });
    await h.slack.redeliver(eventIds[0]);
    await h.slack.redeliver(eventIds[0]);
    await answerIn('D0USER1', ts);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.botReplies('D0USER1', ts)).toHaveLength(1);
    expect(h.openai.requests).toHaveLength(1);
  });

  it('turns an OpenAI 500 into one friendly message without internals, then answers the next question', async () => {
    h.openai.enqueue({
      status: 500,
      errorBody: { error: { message: 'db shard 7 exploded at /srv/internal sk-leakedkey' } },
    });
    const failed = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'help' });
    const apology = await answerIn('D0USER1', failed.ts);
    expect(apology).toMatch(/Sorry, I couldn't answer that just now.*ref `[0-9a-f]{8}`/);
    expect(apology).not.toMatch(/shard|srv|sk-|500|Error/);
    const ref = /ref `([0-9a-f]{8})`/.exec(apology)?.[1];
    expect(h.logs.entries().some((e) => e.ref === ref && e.level === 'error')).toBe(true);
    const next = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'help again' });
    expect(await answerIn('D0USER1', next.ts)).toContain('Hello from the fake model.');
  });

  it('splits a long answer over several messages in the thread, losing nothing', async () => {
    const paragraph = (i: number) => `Step ${i}: ${'check the cable and the dock, then retry. '.repeat(12)}`;
    const code = `\`\`\`sh\n${'sudo systemctl restart globalprotect\n'.repeat(150)}\`\`\``;
    const answer = [...Array.from({ length: 25 }, (_, i) => paragraph(i)), code, paragraph(99)].join('\n\n');
    h.openai.enqueue({ text: answer, chunkChars: 400 });
    const { ts } = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'full runbook please' });
    const replies = await h.slack.waitFor(() => {
      const found = h.slack.botReplies('D0USER1', ts);
      return found.length >= 2 && found.every((m) => !m.streaming) && h.logs.lines.some((l) => l.includes('"answered"'))
        ? found
        : undefined;
    }, 15_000);
    for (const reply of replies) expect(reply.text.length).toBeLessThanOrEqual(12_000);
    // Cutting inside the code block closes and reopens its fence; apart from those, every character must arrive.
    const stripFences = (text: string) => text.replace(/```(sh)?/g, '').replace(/\s+/g, ' ');
    expect(stripFences(replies.map((r) => r.text).join(''))).toBe(stripFences(answer));
    for (const reply of replies) expect((reply.text.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it('aborts a stalled model stream and says the answer was cut short', async () => {
    await h.close();
    h = await startHarness({ OPENAI_IDLE_TIMEOUT_MS: '300' });
    h.openai.enqueue({ text: 'Partial answer that then stalls forever', chunkChars: 8, stallAfter: 2 });
    const { ts } = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'slow question' });
    const text = await answerIn('D0USER1', ts);
    expect(text).toContain('Partial answer t');
    expect(text).toMatch(/cut short \(ref `[0-9a-f]{8}`\)/);
    expect(
      h.logs.entries().some((e) => e.message === 'answer cut short' && JSON.stringify(e).includes('stalled')),
    ).toBe(true);
    const next = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'again' });
    expect(await answerIn('D0USER1', next.ts)).toContain('Hello from the fake model.');
  });

  it('keeps a thread history across a restart with SQLite', async () => {
    await h.close();
    const file = path.join(scratchDir('ssb'), 'threads.db');
    h = await startHarness({ STORE_URL: `sqlite://${file}` });
    h.openai.enqueue({ text: 'Your laptop is a MacBook.' }, { text: 'As I said, a MacBook.' });
    const { ts } = await h.slack.userMessage({
      channel: 'C0GENERAL',
      user: 'U1',
      text: `<@${BOT}> what laptop do I have?`,
    });
    await answerIn('C0GENERAL', ts);
    await h.bot.stop();
    const restarted = await h.startBot();
    await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U1', text: 'sure?', threadTs: ts });
    await answerIn('C0GENERAL', ts, 2);
    expect(messagesOf(h.openai.requests[1]).map((m) => m.content)).toContain('Your laptop is a MacBook.');
    expect(restarted.bot.botUserId).toBe(BOT);
  });

  it('reads the earlier thread from Slack when summoned mid-thread', async () => {
    const root = await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U1', text: 'my badge stopped working' });
    await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U2', text: 'mine too, since Monday', threadTs: root.ts });
    const mention = await h.slack.userMessage({
      channel: 'C0GENERAL',
      user: 'U1',
      text: `<@${BOT}> can you help?`,
      threadTs: root.ts,
    });
    await answerIn('C0GENERAL', root.ts);
    const sent = messagesOf(h.openai.requests[0]).map((m) => m.content);
    expect(sent).toEqual([
      '<@U1> wrote: my badge stopped working',
      '<@U2> wrote: mine too, since Monday',
      `<@${BOT}> can you help?`,
    ]);
    expect(mention.ts).not.toBe(root.ts);
  });
});

describe('streaming pace, with the default append interval', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ STREAM_APPEND_INTERVAL_MS: '1500' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('shows the first words as soon as the model sends them, and batches the rest into few writes', async () => {
    const writes = ['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'chat.postMessage', 'chat.update'];
    const answer = `${'Step one: open Settings, then Privacy, then allow the VPN profile. '.repeat(30)}`.slice(0, 2000);
    const firstTextMs: number[] = [];
    const callsPerAnswer: number[] = [];
    for (let i = 0; i < 3; i++) {
      const channel = `D0PACE${i}`;
      // 2,000 characters in 100 deltas over ~3 s.
      h.openai.enqueue({ text: answer, chunkChars: 20, deltaDelayMs: 30 });
      const { ts } = await h.slack.userMessage({ channel, user: 'U1', text: 'How do I set up the VPN on my phone?' });
      const replies = await h.slack.waitFor(() => {
        const found = h.slack.botReplies(channel, ts);
        return found.length > 0 && found.every((m) => !m.streaming) ? found : undefined;
      }, 15_000);
      expect(replies.map((m) => m.text).join('')).toBe(answer);
      const calls = h.slack.calls.filter((c) => writes.includes(c.method) && c.args.channel === channel);
      const carriesText = (c: (typeof calls)[number]) =>
        [c.args.markdown_text, c.args.text, c.args.chunks].some((part) => part && JSON.stringify(part).length > 2);
      const firstWrite = calls.find(carriesText);
      const firstDelta = h.openai.firstDeltaSentAt[i];
      // The first words reach Slack while the model is still writing: not held back until the answer is done.
      const firstText = JSON.stringify([
        firstWrite?.args.markdown_text,
        firstWrite?.args.text,
        firstWrite?.args.chunks,
      ]);
      expect(firstText).toContain('Step one');
      expect(firstText).not.toContain(answer.slice(-40));
      firstTextMs.push(firstWrite!.at - firstDelta);
      callsPerAnswer.push(calls.length);
    }
    // Batched: a naive streamer makes one write per delta (100 here).
    expect(Math.max(...callsPerAnswer)).toBeLessThanOrEqual(12);
    console.log(
      `streaming pace: first model token → first Slack write ${firstTextMs.map((ms) => ms.toFixed(1)).join(', ')} ms; ` +
        `Slack write calls per 2,000-character answer over ~3 s: ${callsPerAnswer.join(', ')}`,
    );
  });
});

describe('suggested prompts in the agent view', () => {
  const withPrompts = (...titles: string[]) =>
    `---\nname: IT support\nsuggested_prompts:\n${titles
      .map((title) => `  - title: ${title}\n    message: Help me with ${title.toLowerCase()}\n`)
      .join('')}---\nLaptops are MacBooks.\n`;

  it("offers the DM context's prompts when someone opens the bot's DM, and follows edits to the context", async () => {
    const contextsDir = writeContexts({ 'default.md': withPrompts('VPN', 'Printer') });
    const h = await startHarness({ CONTEXTS_DIR: contextsDir });
    try {
      let opened = 0;
      const open = async (tab: string) => {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++opened).padStart(6, '0')}`;
        await h.slack.systemEvent({ type: 'app_home_opened', user: 'U1', channel: 'D0HOME', tab, event_ts: ts });
      };
      const calls = () => h.slack.callsFor('assistant.threads.setSuggestedPrompts');

      await open('home');
      await open('messages');
      await h.slack.waitFor(() => calls().length === 1);
      expect(calls()[0].args.thread_ts).toBeUndefined();
      expect(calls()[0].args).toMatchObject({
        channel_id: 'D0HOME',
        prompts: [
          { title: 'VPN', message: 'Help me with vpn' },
          { title: 'Printer', message: 'Help me with printer' },
        ],
      });

      // Opening the Home tab set nothing: only the Messages tab's open made a call.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls()).toHaveLength(1);

      writeFileSync(path.join(contextsDir, 'default.md'), withPrompts('Wi-Fi'));
      const latest = () => calls().at(-1)?.args.prompts;
      for (let i = 0; i < 40 && JSON.stringify(latest()).includes('VPN'); i++) {
        await open('messages');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(latest()).toEqual([{ title: 'Wi-Fi', message: 'Help me with wi-fi' }]);
    } finally {
      await h.close();
    }
  });
});
