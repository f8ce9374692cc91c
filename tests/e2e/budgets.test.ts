import { startBotProcess } from '../helpers/bot-process';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { startFakeSlack } from '../helpers/fake-slack';
import { redisScratch } from '../helpers/scratch-stores';
import { botEnv, type Harness, startHarness, writeContexts } from './harness';
import { answerIn } from './replies';

/** Each scripted answer reports 110 tokens: one answer uses up a daily budget of 100. */
const COSTLY = { text: 'Restart the dock, then the laptop.', usage: { input: 80, output: 30 } };
const counted = (entry: Record<string, unknown>) => entry.message === 'tokens counted toward the daily budgets';

describe('daily token budgets, end to end', () => {
  let h: Harness;
  afterEach(() => h?.close());

  /** Asks in a DM of its own and returns the bot's reply. */
  async function ask(user: string, channel: string, text: string): Promise<string> {
    const { ts } = await h.slack.userMessage({ channel, user, text });
    return answerIn(h.slack, channel, ts);
  }

  it('answers until the budget is used, then says when it resets, without asking the model', async () => {
    h = await startHarness({ USER_DAILY_TOKENS: '100', BUDGET_RESET_UTC_HOUR: '6' });
    h.openai.respond(() => COSTLY);
    expect(await ask('U0SPEND', 'D0SPEND1', 'Dock broken?')).toContain('Restart the dock');
    await h.slack.waitFor(() => h.logs.entries().some(counted));
    const reply = await ask('U0SPEND', 'D0SPEND2', 'And the screen?');
    expect(reply).toMatch(/used up today's allowance.*resets at 06:00 UTC \(in (\d+ minutes?|about \d+ hours)\)/);
    expect(h.openai.requests).toHaveLength(1);
    // Someone else still has their whole day.
    expect(await ask('U0OTHER', 'D0SPEND3', 'Dock broken?')).toContain('Restart the dock');
  });

  it('never stops a desk admin, whose tokens still count', async () => {
    h = await startHarness({ USER_DAILY_TOKENS: '100', DESK_ADMINS: 'U0BOSS, U0ADMIN' });
    h.openai.respond(() => COSTLY);
    expect(await ask('U0ADMIN', 'D0ADM1', 'Dock broken?')).toContain('Restart the dock');
    await h.slack.waitFor(() => h.logs.entries().some(counted));
    expect(await ask('U0ADMIN', 'D0ADM2', 'Screen broken?')).toContain('Restart the dock');
    expect(h.openai.requests).toHaveLength(2);
    const entry = h.logs.entries().filter(counted).at(-1);
    expect(entry).toMatchObject({ tokens: 110, scopes: ['user'] });
  });

  it("stops a context's questions at its front matter `daily_tokens`, whoever asks", async () => {
    const contexts = writeContexts({ 'default.md': '---\nname: IT\ndaily_tokens: 100\n---\nMacBooks.\n' });
    h = await startHarness({ CONTEXTS_DIR: contexts, USER_DAILY_TOKENS: '0' });
    h.openai.respond(() => COSTLY);
    expect(await ask('U0CTX1', 'D0CTX1', 'Dock?')).toContain('Restart the dock');
    await h.slack.waitFor(() => h.logs.entries().some(counted));
    expect(await ask('U0CTX2', 'D0CTX2', 'Dock?')).toMatch(/^Questions here have used up today's allowance/);
    expect(h.openai.requests).toHaveLength(1);
  });

  it('shares the count between two bot processes on one store', async () => {
    const slack = await startFakeSlack();
    const openai = await startFakeOpenAI();
    const scratch = redisScratch('test-budgets');
    openai.respond(() => COSTLY);
    const env = botEnv(slack, openai, { STORE_URL: scratch.url(), USER_DAILY_TOKENS: '100', LOG_LEVEL: 'debug' });
    const bots = [startBotProcess(env), startBotProcess(env)];
    try {
      await Promise.all(bots.map((bot) => bot.waitForLog((e) => e.message === 'support bot connected', 15_000)));
      await slack.waitForConnections(2);
      const first = await slack.userMessage({ channel: 'D0TWO1', user: 'U0TWO', text: 'Dock?' });
      expect(await answerIn(slack, 'D0TWO1', first.ts)).toContain('Restart the dock');
      const answerer = await slack.waitFor(() => bots.find((bot) => bot.logs.some(counted)));
      // With the process that answered gone, the next question can only reach the other, which never saw the first.
      answerer.kill('SIGTERM');
      await answerer.exited;
      await slack.waitFor(() => slack.connectionCount() === 1);
      const second = await slack.userMessage({ channel: 'D0TWO2', user: 'U0TWO', text: 'Screen?' });
      expect(await answerIn(slack, 'D0TWO2', second.ts)).toMatch(/used up today's allowance/);
      const other = bots[1 - bots.indexOf(answerer)]!;
      expect(await other.waitForLog((e) => e.message === 'question declined')).toMatchObject({
        reason: 'over the user budget',
        ref: expect.stringMatching(/^[0-9a-f]{8}$/),
      });
      expect(openai.requests).toHaveLength(1);
    } finally {
      for (const bot of bots) bot.kill('SIGTERM');
      await Promise.all(bots.map((bot) => bot.exited));
      await slack.close();
      await openai.close();
      await scratch.drop();
    }
  });
});
