import type { Backoff } from '../../src/answering/backoff';
import { TurnSaver } from '../../src/answering/save-turn';
import type { IncomingMessage } from '../../src/conversation/incoming';
import type { Turn } from '../../src/conversation/turn';
import { StoreError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import type { ThreadHistory } from '../../src/store/thread-store';
import { recordingLogger } from '../helpers/recording-logger';
import { until } from '../helpers/until';

const QUICK: Backoff = { pauseMs: 20, maxPauseMs: 50, giveUpMs: 300 };
const THREAD = '1700000000.000100';
const asked = (ts: string, text: string): IncomingMessage => ({
  source: 'message',
  team: 'T1',
  channel: 'D1',
  channelType: 'im',
  user: 'U1',
  text,
  ts,
  threadTs: THREAD,
});

/** How each try to save a question's turns goes, by the question's ts: lands then fails (a timeout), or fails. */
type Try = 'lands unheard' | 'fails';

/** A store whose appends go as `tries` says for each question, then work. */
function flaky(store: MemoryStore, tries: Map<string, Try[]>): Pick<ThreadHistory, 'append'> {
  return {
    append: async (key: string, turns: Turn[], expiresAt: number) => {
      const next = tries.get(turns[0]!.ts)?.shift();
      if (next === 'fails')
        throw new StoreError('Postgres store: append failed: timeout exceeded when trying to connect');
      await store.append(key, turns, expiresAt);
      if (next === 'lands unheard') throw new StoreError('Postgres store: append failed: Query read timeout');
    },
  };
}

describe('TurnSaver', () => {
  it('saves turns whose first try failed, once each, also when that try landed unheard', async () => {
    const store = new MemoryStore();
    const tries = new Map<string, Try[]>([
      ['1700000000.000100', ['lands unheard']],
      ['1700000002.000100', ['fails', 'fails']],
    ]);
    const logger = recordingLogger();
    const saver = new TurnSaver({ history: flaky(store, tries), retentionMs: 60_000, logger, retries: QUICK });
    await saver.save(asked('1700000000.000100', 'first?'), {
      text: 'first.',
      ts: '1700000001.000100',
      counted: false,
    });
    await saver.save(asked('1700000002.000100', 'next?'), {
      text: 'next.',
      ts: '1700000003.000100',
      counted: false,
    });
    const texts = async () => (await store.load(`T1:D1:${THREAD}`)).map((turn) => turn.text);
    // Each resolved after its first try (the thread's next question does not wait): the second is not in yet.
    expect(await texts()).toEqual(['first?', 'first.']);
    // Both tried again in the background; should that stop short, the turns show what it left out.
    const saved = () => logger.lines.filter((line) => line.message === 'saved the turn').length;
    await until(() => saved() === 2, 2_000).catch(() => undefined);
    expect(await texts()).toEqual(['first?', 'first.', 'next?', 'next.']);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    await store.close();
  });

  it('gives up after a while, with one error', async () => {
    const store = new MemoryStore();
    const tries = new Map<string, Try[]>([['1700000000.000100', Array<Try>(100).fill('fails')]]);
    const logger = recordingLogger();
    const saver = new TurnSaver({ history: flaky(store, tries), retentionMs: 60_000, logger, retries: QUICK });
    const started = Date.now();
    await saver.save(asked('1700000000.000100', 'lost?'), {
      text: 'lost.',
      ts: '1700000001.000100',
      counted: false,
    });
    await until(() => logger.lines.some((line) => line.level === 'error'));
    expect(Date.now() - started).toBeLessThan(QUICK.giveUpMs + 200);
    expect(logger.lines.map((line) => `${line.level}: ${line.message}`)).toEqual([
      'warn: could not save the turn yet; retrying',
      'error: could not save the turn',
    ]);
    expect(await store.load(`T1:D1:${THREAD}`)).toEqual([]);
    await store.close();
  });

  it('at shutdown, tries at once what is still waiting for its next try, and says what it could not save', async () => {
    const store = new MemoryStore();
    // The first question's store comes back in time for the last try; the second's never does.
    const tries = new Map<string, Try[]>([
      ['1700000000.000100', ['fails']],
      ['1700000002.000100', Array<Try>(100).fill('fails')],
    ]);
    const logger = recordingLogger();
    const slow: Backoff = { pauseMs: 60_000, maxPauseMs: 60_000, giveUpMs: 120_000 };
    const saver = new TurnSaver({ history: flaky(store, tries), retentionMs: 60_000, logger, retries: slow });
    await saver.save(asked('1700000000.000100', 'kept?'), { text: 'kept.', ts: '1700000001.000100', counted: false });
    await saver.save(asked('1700000002.000100', 'lost?'), { text: 'lost.', ts: '1700000003.000100', counted: false });
    const started = Date.now();
    expect(await saver.flush()).toBe(1);
    // Without waiting out the minute's pause.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await store.load(`T1:D1:${THREAD}`)).map((turn) => turn.text)).toEqual(['kept?', 'kept.']);
    // An answer that outlived the drain and fails to save after the flush is not left waiting for a retry that
    // never comes: it is reported at once.
    tries.set('1700000004.000100', ['fails']);
    await saver.save(asked('1700000004.000100', 'late?'), { text: 'late.', ts: '1700000005.000100', counted: false });
    await until(() => logger.lines.filter((line) => line.level === 'error').length === 2, 1_000).catch(() => undefined);
    const errors = logger.lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => [line.message, line.meta?.ts])).toEqual([
      ['could not save the turn', '1700000002.000100'],
      ['could not save the turn', '1700000004.000100'],
    ]);
    await store.close();
  });
});
