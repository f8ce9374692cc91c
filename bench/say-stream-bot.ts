import { App, LogLevel } from '@slack/bolt';
import OpenAI from 'openai';
import { ready, serve } from './ipc';
import { profileStart, profileStop } from './phase-profile';

// The comparison: the same answers streamed the way Bolt's docs show it, with sayStream() and its defaults
// (the WebClient's chatStream(), which buffers 256 characters before each write). No store, no status.

async function main(): Promise<void> {
  const env = process.env;
  const slackApiUrl = env.SLACK_API_URL;
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    appToken: env.SLACK_APP_TOKEN,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl },
  });
  const openai = new OpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });

  app.message(async ({ message, sayStream }) => {
    if (message.subtype !== undefined || !('text' in message) || !message.text || !sayStream) return;
    const stream = await openai.responses.create({
      model: 'gpt-5.4-mini',
      input: [{ role: 'user', content: message.text }],
      stream: true,
    });
    const streamer = sayStream();
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') await streamer.append({ markdown_text: event.delta });
    }
    await streamer.stop();
  });

  await app.start();
  serve({
    // CPU and clock for the throughput runs, as the bot reports them.
    usage: () => ({ cpu: process.cpuUsage(), at: performance.now() }),
    // --profile: the same phase profiles as the bot's, to compare where each spends its CPU.
    profileStart,
    profileStop,
    stop: async () => {
      await app.stop();
      setImmediate(() => process.exit(0));
      return true;
    },
  });
  ready();
}

main().catch((error: unknown) => {
  console.error('sayStream bot failed:', error);
  process.exit(1);
});
