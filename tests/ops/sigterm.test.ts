import { botEnv } from '../e2e/harness';
import { startBotProcess } from '../helpers/bot-process';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { startFakeSlack } from '../helpers/fake-slack';

describe('the bot as a process, behind an orchestrator', () => {
  it('is ready once connected, and not ready from SIGTERM on while it finishes the answer under way', async () => {
    const slack = await startFakeSlack();
    const openai = await startFakeOpenAI();
    try {
      const bot = startBotProcess(botEnv(slack, openai, { HTTP_PORT: '0', LOG_LEVEL: 'info' }));
      const { port } = await bot.waitForLog((e) => e.message === 'ops server listening');
      await bot.waitForLog((e) => e.message === 'support bot connected');
      const readyz = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });

      // An answer that takes a few seconds keeps the process draining (and its ops server up) after SIGTERM.
      openai.enqueue({ text: 'A slow but complete answer about printers.', chunkChars: 2, deltaDelayMs: 150 });
      const { ts } = await slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'printer?' });
      await slack.waitFor(() => slack.callsFor('chat.startStream').length > 0);
      bot.kill('SIGTERM');
      await bot.waitForLog((e) => e.message === 'shutting down');
      expect(await readyz()).toEqual({ status: 503, body: { status: 'not ready', reason: 'draining' } });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      expect((await bot.exited).code).toBe(0);
      expect(
        slack
          .botReplies('D0USER1', ts)
          .map((m) => m.text)
          .join(''),
      ).toBe('A slow but complete answer about printers.');
    } finally {
      await slack.close();
      await openai.close();
    }
  });
});
