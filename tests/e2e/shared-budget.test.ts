import { type BotProcess, startBotProcess } from '../helpers/bot-process';
import { type FakeOpenAI, lastUserText, startFakeOpenAI } from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { wholeAnswer } from '../helpers/fault-tally';
import { postgresScratch, redisScratch, type Scratch } from '../helpers/scratch-stores';
import { botEnv } from './harness';

/**
 * Two instances on one store answer one workspace's burst: they share its Slack allowance through the store's
 * capacity leases, so together they stay inside the tiers (no 429) rather than each spending the whole of it.
 */
const COUNT = 50;
const answerTo = (q: string) =>
  `answer to ${q}: ${Array.from({ length: 10 }, (_, i) => `step ${i + 1}, check the dock.`).join(' ')} Done.`;

async function twoInstancesBurst(storeUrl: string) {
  const slack: FakeSlack = await startFakeSlack({ rateLimits: 'tiers' });
  const openai: FakeOpenAI = await startFakeOpenAI();
  const bots: BotProcess[] = [];
  try {
    // Each answer streams for ~2 s, so the 50 overlap and the streaming tier fills between the two instances.
    openai.respond((req) => ({ text: answerTo(lastUserText(req)), chunkChars: 10, ttftMs: 100, deltaDelayMs: 60 }));
    const env = botEnv(slack, openai, { STORE_URL: storeUrl, LOG_LEVEL: 'info' });
    for (let i = 0; i < 2; i++) bots.push(startBotProcess(env));
    await Promise.all(bots.map((bot) => bot.waitForLog((e) => e.message === 'support bot connected', 15_000)));
    await slack.waitForConnections(2);
    const asked = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        slack.userMessage({ channel: `D0SB${i}`, user: `U${i}`, text: `shared question ${i}` }),
      ),
    );
    for (const [i, { ts }] of asked.entries()) {
      await wholeAnswer(slack, `D0SB${i}`, ts, answerTo(`shared question ${i}`), 30_000);
    }
    const streams = slack.callsFor('chat.startStream').length;
    return { http429: slack.total429(), streams, posts: slack.callsFor('chat.postMessage').length };
  } finally {
    for (const bot of bots) bot.kill('SIGTERM');
    await Promise.all(bots.map((bot) => bot.exited));
    await slack.close();
    await openai.close();
  }
}

describe('two instances share one workspace’s Slack allowance', () => {
  jest.setTimeout(90_000);

  const backends: Array<[string, Scratch]> = [
    ['Redis', redisScratch('shared-budget')],
    ['PostgreSQL', postgresScratch('shared_budget')],
  ];
  it.each(backends)('on %s: 50 answers at once, all delivered whole, no 429', async (_name, scratch) => {
    try {
      const figures = await twoInstancesBurst(scratch.url());
      expect(figures.http429).toBe(0);
      // Between them, no more streams than the tier allows one app in a minute.
      expect(figures.streams).toBeLessThanOrEqual(20);
    } finally {
      await scratch.drop();
    }
  });
});
