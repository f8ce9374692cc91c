import { startBotProcess } from '../helpers/bot-process';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { startFakeSlack } from '../helpers/fake-slack';
import { botEnv } from './harness';

describe('the bot as a process', () => {
  it('refuses to start on bad settings, naming every variable and no secret', async () => {
    const bot = startBotProcess({ SLACK_BOT_TOKEN: 'xapp-not-a-bot-token-secret', OPENAI_API: 'nope' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.stderr()).toContain('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
    expect(bot.stderr()).toContain('SLACK_APP_TOKEN is required');
    expect(bot.stderr()).toContain('OPENAI_API_KEY is required');
    expect(bot.stderr()).toContain('OPENAI_API must be responses or chat');
    expect(bot.stderr()).not.toContain('not-a-bot-token-secret');
  });

  it('on SIGTERM stops taking events, finishes the answer under way and exits 0', async () => {
    const slack = await startFakeSlack();
    const openai = await startFakeOpenAI();
    try {
      const bot = startBotProcess(botEnv(slack, openai));
      await bot.waitForLog((e) => e.message === 'support bot connected');
      openai.enqueue({ text: 'A slow but complete answer about printers.', chunkChars: 4, deltaDelayMs: 60 });
      const { ts } = await slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'printer?' });
      await slack.waitFor(() => slack.callsFor('chat.startStream').length > 0);
      bot.kill('SIGTERM');
      const { code } = await bot.exited;
      expect(code).toBe(0);
      const replies = slack.botReplies('D0USER1', ts);
      expect(replies.map((m) => m.text).join('')).toBe('A slow but complete answer about printers.');
      expect(replies.every((m) => !m.streaming)).toBe(true);
      expect(slack.connectionCount()).toBe(0);
    } finally {
      await slack.close();
      await openai.close();
    }
  });
});
