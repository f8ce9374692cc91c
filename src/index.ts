import 'dotenv/config';
import { createBot } from './app';
import { loadConfig } from './config';
import { redactSecrets } from './secrets';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const bot = await createBot(config);
  const { logger } = bot;

  // @slack/socket-mode can reject a promise it never catches on a malformed envelope; log it, keep serving.
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) });
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Readiness goes 503 at once, before anything else of the shutdown runs.
    bot.beginDraining();
    logger.info('shutting down', { signal });
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await bot.start();
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`slack-support-bot could not start: ${redactSecrets(message)}\n`);
  process.exit(1);
});
