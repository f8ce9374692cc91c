/**
 * CPU the SQLite store spends per answer: the store calls of one answered question (claim, lock, append the two
 * turns, noteWritten, addUsage, complete, unlock, recordQuestion), for `answers` questions, `inFlight` at a time.
 *
 *   npx tsc -p tsconfig.bench.json
 *   node dist/bench/bench/sqlite-writes.js [lockstep|io|timers] [answers] [inFlight] [sqlite|memory|none]
 *
 * lockstep: the answers in flight make each call in the same tick (one socket read delivering them all), after
 * going round the event loop (as after their I/O). io: each answer makes each call from its own callback (a
 * setImmediate before each), as answers whose Slack writes come back on different sockets; it runs in the check
 * phase, where the store commits, so each commit waits a further turn of the loop: the worst case for the store.
 * timers: the same from timer callbacks, a phase before (1 ms timers: mostly idle-loop cost at low inFlight).
 * `memory` runs the same calls on the memory store, `none` on a store that does nothing (what the bench costs).
 * Prints CPU µs per answer (process.cpuUsage: user + system) and wall ms.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../src/store/memory-store';
import { SqliteStore } from '../src/store/sqlite-store';
import type { ThreadStore } from '../src/store/thread-store';

const [mode = 'lockstep', answersArg = '2000', inFlightArg = '64', kind = 'sqlite'] = process.argv.slice(2);
const answers = Number(answersArg);
const inFlight = Number(inFlightArg);
const HOUR = 3_600_000;
const answerText = 'An answer of a few sentences, as the model writes them. '.repeat(12);

/** Each answer's own callback, in the check phase (io) or the timers phase (timers). */
const ownCallback = () => new Promise<void>((resolve) => setImmediate(resolve));
const ownTimer = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** One I/O callback for every answer waiting: they all go on in it, in the same tick. */
let shared: Promise<void> | undefined;
const sameCallback = () =>
  (shared ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      shared = undefined;
      resolve();
    }),
  ));
const io = mode === 'io' ? ownCallback : mode === 'timers' ? ownTimer : sameCallback;

async function answerOne(store: ThreadStore, n: number): Promise<void> {
  const [key, ts] = [`T1:C${n % 500}:1700000000.${n}`, `1700000000.${String(n).padStart(6, '0')}`];
  const id = `${key}:${ts}`;
  const expiresAt = Date.now() + HOUR;
  await io();
  if (!(await store.claim(id, JSON.stringify({ text: 'How do I reset my VPN?', ts }), expiresAt, 'U1'))) return;
  await io();
  const token = randomUUID();
  const leased = await store.lock(key, token, 60_000, n);
  await io();
  await store.append(
    key,
    [
      { role: 'user', text: 'How do I reset my VPN?', ts, user: 'U1' },
      { role: 'assistant', text: answerText, ts: `${ts}1` },
    ],
    expiresAt,
  );
  await io();
  await store.noteWritten(id, `${ts}1`);
  await io();
  await store.addUsage(`budget:1:u:T1:U${n % 50}`, 1500, expiresAt);
  await io();
  await store.complete(id);
  await io();
  if (leased) await store.unlock(key, token);
  await io();
  await store.desk.recordQuestion(
    {
      thread: key,
      ts,
      answerTs: `${ts}1`,
      channel: `C${n % 500}`,
      context: 'default',
      channelKind: 'channel',
      outcome: 'answered',
      at: Date.now(),
      firstVisibleMs: 900,
      durationMs: 4000,
      tokensIn: 1200,
      tokensCached: 1024,
      tokensOut: 300,
      files: 0,
    },
    expiresAt,
  );
}

async function rounds(store: ThreadStore, first: number, count: number): Promise<void> {
  for (let start = first; start < first + count; start += inFlight) {
    const group = Array.from({ length: Math.min(inFlight, first + count - start) }, (_, n) => start + n);
    await Promise.all(group.map((n) => answerOne(store, n)));
  }
}

/** A store whose calls all resolve at once: claims won, leases granted. */
function doNothing(): ThreadStore {
  const done = async () => {};
  return {
    claim: async () => true,
    lock: async () => true,
    append: done,
    noteWritten: done,
    addUsage: async () => 0,
    complete: done,
    unlock: done,
    close: done,
    desk: { recordQuestion: done },
  } as unknown as ThreadStore;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-writes-'));
  const store =
    kind === 'none'
      ? doNothing()
      : kind === 'memory'
        ? new MemoryStore()
        : await SqliteStore.create(join(dir, 'bench.db'));
  await rounds(store, 1_000_000, 256); // warm-up: JIT, statement cache, file growth
  const cpu = process.cpuUsage();
  const started = performance.now();
  await rounds(store, 0, answers);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const perAnswer = (used.user + used.system) / answers;
  console.log(
    `${kind} ${mode} answers=${answers} inFlight=${inFlight}: ${perAnswer.toFixed(0)} µs CPU/answer ` +
      `(user ${(used.user / answers).toFixed(0)}, system ${(used.system / answers).toFixed(0)}), wall ${wallMs.toFixed(0)} ms`,
  );
}

void main();
