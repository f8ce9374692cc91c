import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createClient } from 'redis';
import { createStore } from '../../src/store/create-store';
import { type BotProcess, startBotProcess } from '../helpers/bot-process';
import { type FakeOpenAI, lastUserText, messagesOf, startFakeOpenAI } from '../helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { APP_TOKEN, BOT_TOKEN, OPENAI_KEY, writeContexts } from './harness';

const THREADS = 20;
const PER_THREAD = 10;
const run = randomUUID().slice(0, 8);

interface Thread {
  channel: string;
  user: string;
  rootTs: string;
  mention: boolean;
}

/** Two bot processes on one fake Slack and one shared store; every question must get exactly one answer. */
async function runTwoInstances(storeUrl: string): Promise<string> {
  const slack: FakeSlack = await startFakeSlack();
  const openai: FakeOpenAI = await startFakeOpenAI();
  const bots: BotProcess[] = [];
  try {
    openai.respond((req) => ({
      text: `answer to ${lastUserText(req).replace('<@UBOT> ', '')}`,
      chunkChars: 6,
      ttftMs: Math.floor(Math.random() * 30),
      deltaDelayMs: 1,
    }));
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      OPENAI_API_KEY: OPENAI_KEY,
      SLACK_API_URL: slack.apiUrl,
      OPENAI_BASE_URL: openai.baseURL,
      STORE_URL: storeUrl,
      CONTEXTS_DIR: writeContexts(),
      STREAM_APPEND_INTERVAL_MS: '100',
      LOG_LEVEL: 'warn',
    };
    for (let i = 0; i < 2; i++) bots.push(startBotProcess(env));
    await slack.waitForConnections(2, 15_000);

    const started = Date.now();
    const threads: Thread[] = [];
    let redelivered = 0;
    let sent = 0;
    const ask = async (thread: Thread | undefined, index: number, k: number) => {
      const channel = thread?.channel ?? (index % 4 === 0 ? `C0MI${index}` : `D0MI${index}`);
      const mention = thread?.mention ?? channel.startsWith('C');
      const text = `${mention ? '<@UBOT> ' : ''}q-${index}-${k}`;
      const { ts, eventIds } = await slack.userMessage({ channel, user: `U${index}`, text, threadTs: thread?.rootTs });
      sent++;
      if (sent % 3 === 0) {
        await slack.redeliver(eventIds[0], { toOtherConnection: true });
        redelivered++;
      }
      return { channel, user: `U${index}`, rootTs: thread?.rootTs ?? ts, mention };
    };
    for (let i = 0; i < THREADS; i++) threads.push(await ask(undefined, i, 0));
    // Follow-ups go out close together, while earlier answers in the same thread are still streaming.
    for (let k = 1; k < PER_THREAD; k++) {
      await Promise.all(threads.map((thread, i) => ask(thread, i, k)));
    }

    const total = THREADS * PER_THREAD;
    const answers = () =>
      threads.flatMap((t) =>
        slack
          .botReplies(t.channel, t.rootTs)
          .filter((m) => !m.streaming)
          .map((m) => m.text),
      );
    await slack.waitFor(() => answers().length >= total || undefined, 90_000);
    await new Promise((r) => setTimeout(r, 500));
    const elapsed = Date.now() - started;

    const byQuestion = new Map<string, number>();
    for (const text of answers()) {
      const question = /answer to (q-\d+-\d+)/.exec(text)?.[1] ?? text;
      byQuestion.set(question, (byQuestion.get(question) ?? 0) + 1);
    }
    const duplicates = [...byQuestion.values()].filter((n) => n > 1).length;
    const lost = total - [...byQuestion.keys()].filter((q) => q.startsWith('q-')).length;
    expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });

    // Stored history: each question once, right before its own answer; and each answer's prompt held exactly the
    // turns stored before it, so the thread was answered one message at a time even across instances.
    const store = await createStore(storeUrl);
    const stored = new Map<number, string[]>();
    try {
      for (const [i, thread] of threads.entries()) {
        const turns = await store.load(`${slack.teamId}:${thread.channel}:${thread.rootTs}`);
        const texts = turns.map((t) => t.text.replace('<@UBOT> ', ''));
        stored.set(i, texts);
        const questions = texts.filter((_, j) => j % 2 === 0);
        expect(texts.filter((_, j) => j % 2 === 1)).toEqual(questions.map((q) => `answer to ${q}`));
        expect([...questions].sort()).toEqual(Array.from({ length: PER_THREAD }, (_, k) => `q-${i}-${k}`).sort());
      }
    } finally {
      await store.close();
    }
    let outOfArrivalOrder = 0;
    for (const req of openai.requests) {
      const question = lastUserText(req).replace('<@UBOT> ', '');
      const [, i, k] = /q-(\d+)-(\d+)/.exec(question) ?? [];
      const texts = stored.get(Number(i)) ?? [];
      const history = messagesOf(req)
        .slice(0, -1)
        .map((m) => m.content.replace('<@UBOT> ', ''));
      expect(history).toEqual(texts.slice(0, texts.indexOf(question)));
      if (texts.indexOf(question) !== Number(k) * 2) outOfArrivalOrder++;
    }
    expect(openai.requests).toHaveLength(total);
    return `${total} messages (${redelivered} redelivered to the other instance, mentions delivered twice), 0 duplicates, 0 lost, ${outOfArrivalOrder} answered out of arrival order, ${elapsed} ms`;
  } finally {
    for (const bot of bots) bot.kill('SIGTERM');
    await Promise.all(bots.map((bot) => bot.exited));
    await slack.close();
    await openai.close();
  }
}

describe('two instances sharing a store behave as one', () => {
  jest.setTimeout(150_000);

  it('on Redis: every message answered once, every thread complete and in order', async () => {
    const prefix = `mi-${run}:`;
    try {
      const summary = await runTwoInstances(`redis://127.0.0.1:6379?prefix=${prefix}`);
      console.log(`two instances, redis: ${summary}`);
    } finally {
      const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.del(keys);
      }
      await client.close();
    }
  });

  it('on PostgreSQL: every message answered once, every thread complete and in order', async () => {
    const schema = `mi_${run}`;
    try {
      const summary = await runTwoInstances(`postgres://postgres@127.0.0.1:5432/test?schema=${schema}`);
      console.log(`two instances, postgres: ${summary}`);
    } finally {
      const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
