import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { type Bot, createBot } from '../src/app';
import { loadConfig } from '../src/config';
import { buildInstructions, buildRequest } from '../src/conversation/prompt';
import { countTokens } from '../src/conversation/tokens';
import type { Turn } from '../src/conversation/turn';
import { timeStore } from '../src/ops/timed-store';
import type { ThreadStore } from '../src/store/thread-store';
import { ready, serve } from './ipc';
import { profileStart, profileStop } from './phase-profile';
import { residentParts } from './resident';
import { answerText, questionText } from './text';

// The real bot, built by createBot exactly as src/index.ts builds it, plus a few hooks the coordinator calls.

const DAY = 24 * 3600_000;
const config = loadConfig(process.env);

/** Times the store calls the answering path makes, by method, while switched on; wraps the store via createBot. */
class StoreTimer {
  private samples: Record<string, number[]> = {};
  private methods = new Set<string>();

  /** The wrapper createBot puts around the store. */
  readonly wrap = (store: ThreadStore): ThreadStore =>
    timeStore(store, (op, seconds) => {
      if (this.methods.has(op)) this.samples[op]?.push(seconds * 1000);
    });

  on(methods: string[]): void {
    this.methods = new Set(methods);
    this.samples = Object.fromEntries(methods.map((method) => [method, []]));
  }

  /** Stops timing; returns the samples, in ms, by method. */
  off(): Record<string, number[]> {
    this.methods = new Set();
    return this.samples;
  }
}

/**
 * A thread of `count` turns as the bot stores them: token counts only on turns saved once the thread had grown past
 * the token budget even by upper bounds (before that, the bot never tokenizes).
 */
function turnsOf(count: number, seed: number, user: string): Turn[] {
  let bytes = 0;
  return Array.from({ length: count }, (_, n): Turn => {
    const asker = n % 2 === 0;
    const text = asker ? answerText(150, seed + n) : answerText(600, seed + n);
    bytes += Buffer.byteLength(text);
    return {
      role: asker ? 'user' : 'assistant',
      text,
      ts: `1700000000.${String(n).padStart(6, '0')}`,
      ...(asker ? { user } : {}),
      ...(bytes > config.history.tokenBudget ? { tokens: countTokens(text) } : {}),
    };
  });
}

/** The hooks the coordinator calls on a running bot. */
function handlersFor(bot: Bot, timer: StoreTimer) {
  const context = bot.contexts.forChannel('D0', true);
  if (!context) throw new Error('bench: no default context');
  const instructions = buildInstructions(context);
  return {
    usage: () => ({ cpu: process.cpuUsage(), at: performance.now() }),

    memory: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const spaces = Object.fromEntries(
        getHeapSpaceStatistics().map((space) => [space.space_name, Math.round(space.space_size / 2 ** 20)]),
      );
      return { ...process.memoryUsage(), spaces, parts: residentParts() };
    },

    /** RSS as it is, no GC forced: what V8 has given back by itself (its memory reducer runs once allocation stops). */
    rss: () => process.memoryUsage.rss(),

    timeStore: (methods: string[]) => {
      timer.on(methods);
      return true;
    },
    storeTimes: () => timer.off(),

    /** Fills the store with `threads` threads of 2 exchanges (4 turns), each in its own workspace and DM. */
    populate: async (args: { threads: number }) => {
      const question = answerText(150);
      const start = performance.now();
      for (let i = 0; i < args.threads; i++) {
        const ts = `1700000000.${String(i).padStart(6, '0')}`;
        // Short threads: stored without token counts, as the bot stores them. Each message has its own ts (a turn
        // saved under a role and ts stored already is skipped), the first question the thread's.
        const at = (n: number) => `${1_700_000_000 + n}.${String(i).padStart(6, '0')}`;
        const turns: Turn[] = [0, 1].flatMap((n): Turn[] => [
          { role: 'user', text: `${question} (${i}.${n})`, ts: at(2 * n), user: `UR${i}` },
          { role: 'assistant', text: answerText(1_000, i + n), ts: at(2 * n + 1) },
        ]);
        await bot.store.append(`TR${i}:DR${i}:${ts}`, turns, Date.now() + DAY);
      }
      return { ms: performance.now() - start };
    },

    /** Store load + buildRequest of a thread of each length, `repeats` times each (the bot's config budget). */
    trim: async (args: { lengths: number[]; repeats: number }) => {
      const results: Record<number, { loadMs: number[]; buildMs: number[]; kept: number }> = {};
      for (const length of args.lengths) {
        const key = `TTRIM:DTRIM${length}:${Date.now()}`;
        await bot.store.append(key, turnsOf(length, length, 'UTRIM'), Date.now() + DAY);
        const loadMs: number[] = [];
        const buildMs: number[] = [];
        let kept = 0;
        for (let r = 0; r < args.repeats; r++) {
          const start = performance.now();
          const history = await bot.store.load(key);
          const loaded = performance.now();
          const built = buildRequest({
            context,
            instructions,
            history,
            question: questionText(r),
            tokenBudget: config.history.tokenBudget,
          });
          buildMs.push(performance.now() - loaded);
          loadMs.push(loaded - start);
          kept = built.kept;
        }
        await bot.store.deleteThread(key);
        results[length] = { loadMs, buildMs, kept };
      }
      return results;
    },

    /** CPU per `info` line like the one the bot writes per answer, through the bot's own logger and stdout. */
    logLineCost: (lines: number) => {
      const start = process.cpuUsage();
      for (let n = 0; n < lines; n++) {
        bot.logger.info('answered', { ref: '0a1b2c3d', channel: 'D0BENCH', ts: '1700000000.000100', why: 'dm' });
      }
      const used = process.cpuUsage(start);
      return (used.user + used.system) / lines;
    },

    profileStart,
    profileStop,

    stop: async () => {
      await bot.stop();
      setImmediate(() => process.exit(0));
      return true;
    },
  };
}

export type BotHandlers = ReturnType<typeof handlersFor>;

async function main(): Promise<void> {
  const timer = new StoreTimer();
  const bot = await createBot(config, { wrapStore: timer.wrap });
  await bot.start();
  serve(handlersFor(bot, timer));
  ready();
}

main().catch((error: unknown) => {
  console.error('bench bot failed to start:', error);
  process.exit(1);
});
