import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startBotProcess } from '../helpers/bot-process';
import { startFakeOpenAI } from '../helpers/fake-openai';
import { startFakeSlack } from '../helpers/fake-slack';
import { scratchDir } from '../helpers/scratch-dir';
import { botEnv } from './harness';

const PRELOAD = path.join(__dirname, '..', 'helpers', 'loaded-packages.js');

/** Runs the compiled bot on SQLite with `env`, answers one question, stops it; returns the npm packages it loaded. */
async function packagesLoaded(env: Record<string, string>): Promise<string[]> {
  const slack = await startFakeSlack();
  const openai = await startFakeOpenAI();
  const dir = scratchDir('lazy-modules');
  const file = path.join(dir, 'packages.txt');
  try {
    const bot = startBotProcess(
      botEnv(slack, openai, {
        STORE_URL: `sqlite://${path.join(dir, 'bot.db')}`,
        NODE_OPTIONS: `--require ${PRELOAD}`,
        LOADED_PACKAGES_FILE: file,
        ...env,
      }),
    );
    await bot.waitForLog((e) => e.message === 'support bot connected');
    openai.enqueue({ text: 'Restart the VPN client.' });
    const { ts } = await slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'vpn?' });
    await slack.waitFor(() => slack.botReplies('D0USER1', ts).some((m) => !m.streaming));
    bot.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    return readFileSync(file, 'utf8').split('\n');
  } finally {
    await slack.close();
    await openai.close();
  }
}

describe('what the bot loads (each module costs memory for as long as the process lives)', () => {
  it('answers on SQLite without loading the metrics library, other stores, knowledge search or the tokenizer', async () => {
    const loaded = await packagesLoaded({});
    expect(loaded).toContain('@slack/bolt');
    for (const unused of ['prom-client', 'redis', 'pg', 'minisearch', 'gpt-tokenizer']) {
      expect(loaded).not.toContain(unused);
    }
  });

  it('loads the metrics library once HTTP_PORT turns the ops server on', async () => {
    expect(await packagesLoaded({ HTTP_PORT: '0' })).toContain('prom-client');
  });
});
