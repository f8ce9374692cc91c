import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpenAI } from '../tests/helpers/fake-openai';
import { type FakeSlack, startFakeSlack } from '../tests/helpers/fake-slack';
import type { RateLimitMode } from '../tests/helpers/fake-slack/limits';
import { conversations } from './conversations';
import { ready, serve } from './ipc';
import { type Pacing, type Question, sequential, type TeamMode, Workload } from './workload';

// The fake Slack and fake OpenAI, in a process of their own: every time below is taken here, with performance.now().

let work: Workload | undefined;
const running = () => {
  if (!work) throw new Error('fakes not started');
  return work;
};

/** Per-answer figures sent back to the coordinator. */
function report(questions: Question[]) {
  return {
    sent: questions.length,
    answered: questions.filter((q) => q.doneAt !== undefined).length,
    overheadMs: Workload.overheads(questions),
    ackMs: Workload.acks(questions),
    writes: questions.filter((q) => q.doneAt !== undefined).map(Workload.writeCount),
    writesByMethod: questions.map((q) => q.writes),
  };
}

/** When the first and the last of `questions` was answered in full, from `start`. */
function ends(questions: Question[], start: number) {
  const done = questions.flatMap((q) => (q.doneAt !== undefined ? [q.doneAt - start] : []));
  return { lastMs: done.length ? Math.max(...done) : Number.NaN };
}

const loop = { on: false, inFlight: new Set<Question>(), answered: 0 };

function keepAsking(pacing: Pacing, teams: TeamMode): void {
  if (!loop.on) return;
  const w = running();
  const question = w.question(pacing, teams);
  loop.inFlight.add(question);
  w.ask(question).catch(() => undefined);
  void question.done.then(() => {
    loop.inFlight.delete(question);
    loop.answered++;
    keepAsking(pacing, teams);
  });
}

const handlers = {
  async start(options: { rateLimits?: RateLimitMode }) {
    const slack: FakeSlack = await startFakeSlack({ rateLimits: options.rateLimits ?? 'off' });
    const openai = await startFakeOpenAI();
    work = new Workload(slack, openai);
    return { apiUrl: slack.apiUrl, baseURL: openai.baseURL };
  },

  async connected(count: number) {
    await running().slack.waitForConnections(count, 20_000);
    return true;
  },

  /** One question at a time, each answered before the next. */
  async sequential(args: { count: number; pacing: Pacing; gapMs: number; teams?: TeamMode }) {
    return report(await sequential(running(), args.count, args.pacing, args.gapMs, args.teams ?? 'unique'));
  },

  /**
   * `count` questions at the same moment, `repeats` times, in separate workspaces (or all in one); with `gapMs`, the
   * next burst goes that long after the last was sent rather than after it was answered.
   */
  async burst(args: { count: number; repeats: number; pacing: Pacing; teams?: TeamMode; gapMs?: number }) {
    const w = running();
    const all: Question[] = [];
    const before = w.slack.total429();
    const start = performance.now();
    for (let r = 0; r < args.repeats; r++) {
      const questions = Array.from({ length: args.count }, () => w.question(args.pacing, args.teams ?? 'unique'));
      all.push(...questions);
      await Promise.all(questions.map((q) => w.ask(q)));
      if (args.gapMs !== undefined) {
        await sleep(args.gapMs);
        continue;
      }
      await w.settle(questions, 60_000);
      await sleep(200);
    }
    if (args.gapMs !== undefined) await w.settle(all, 120_000);
    const http429ByMethod = { ...w.slack.rateLimited };
    return { ...report(all), ...ends(all, start), http429: w.slack.total429() - before, http429ByMethod };
  },

  /** A fresh minute in every rate window: the next run starts with the workspace's whole allowance. */
  clearRateWindows() {
    running().slack.clearRateWindows();
    return true;
  },

  /** `count` questions `perSecond` a second into one workspace (or each its own): question → complete answer. */
  async spread(args: { count: number; perSecond: number; pacing: Pacing; teams: TeamMode; timeoutMs: number }) {
    const w = running();
    const before = w.slack.total429();
    const questions: Question[] = [];
    const start = performance.now();
    for (let i = 0; i < args.count; i++) {
      const question = w.question(args.pacing, args.teams);
      questions.push(question);
      void w.ask(question);
      await sleep(Math.max(0, start + ((i + 1) * 1000) / args.perSecond - performance.now()));
    }
    await w.settle(questions, args.timeoutMs);
    const completeMs = questions.flatMap((q) =>
      q.doneAt !== undefined && q.sentAt !== undefined ? [q.doneAt - q.sentAt] : [],
    );
    return { ...report(questions), completeMs, http429: w.slack.total429() - before };
  },

  /** Keeps `concurrency` questions in flight until loopStop; loopMark counts answers so far. */
  loopStart(args: { concurrency: number; pacing: Pacing; teams?: TeamMode }) {
    loop.on = true;
    loop.answered = 0;
    for (let i = 0; i < args.concurrency; i++) keepAsking(args.pacing, args.teams ?? 'unique');
    return true;
  },
  loopMark() {
    return { answered: loop.answered, at: performance.now(), cpu: process.cpuUsage() };
  },
  /** Stops asking; waits up to `settleMs` (default 30 s) for the questions still in flight. */
  async loopStop(args: { settleMs?: number } = {}) {
    loop.on = false;
    const inFlight = [...loop.inFlight];
    const finished = await running().settle(inFlight, args.settleMs ?? 30_000);
    return { unfinished: inFlight.length - finished };
  },

  /**
   * Questions `staggerMs` apart (so first deltas come in request order), one workspace each:
   * first model token → first Slack write that carries it, and writes per answer.
   */
  async paced(args: { count: number; staggerMs: number; pacing: Pacing }) {
    const w = running();
    const firstDeltas = w.openai.firstDeltaSentAt;
    const from = firstDeltas.length;
    const questions: Question[] = [];
    for (let i = 0; i < args.count; i++) {
      const question = w.question(args.pacing, 'unique');
      questions.push(question);
      void w.ask(question);
      await sleep(args.staggerMs);
    }
    await w.settle(questions, 60_000);
    const byRequest = [...questions].sort((a, b) => (a.requestAt ?? 0) - (b.requestAt ?? 0));
    const firstVisibleMs: number[] = [];
    let unmatched = 0;
    // The i-th first delta belongs to the i-th request: each comes ttftMs after its request, and requests are
    // further apart than the fake's timer jitter. A first delta outside that window is not counted.
    byRequest.forEach((question, i) => {
      const firstDelta = firstDeltas[from + i];
      const after = question.requestAt === undefined ? Number.NaN : firstDelta - question.requestAt;
      const matched = after >= args.pacing.ttftMs - 1 && after < args.pacing.ttftMs + args.staggerMs;
      if (matched && question.firstTextAt !== undefined) firstVisibleMs.push(question.firstTextAt - firstDelta);
      else unmatched++;
    });
    return { ...report(questions), firstVisibleMs, unmatched };
  },

  /** `count` questions at once from one workspace (or each its own); 429s, completeness, time to the last answer. */
  async together(args: { count: number; pacing: Pacing; teams: TeamMode; timeoutMs: number }) {
    const w = running();
    const before = w.slack.total429();
    const questions = Array.from({ length: args.count }, () => w.question(args.pacing, args.teams));
    const start = performance.now();
    await Promise.all(questions.map((q) => w.ask(q)));
    await w.settle(questions, args.timeoutMs);
    const finished = questions.flatMap((q) => (q.doneAt !== undefined ? [q.doneAt - start] : []));
    return {
      ...report(questions),
      http429: w.slack.total429() - before,
      http429ByMethod: { ...w.slack.rateLimited },
      lastMs: finished.length ? Math.max(...finished) : Number.NaN,
      firstTextMs: questions.flatMap((q) => (q.firstTextAt !== undefined ? [q.firstTextAt - start] : [])),
    };
  },

  /** Conversations in one workspace, each a thread of follow-ups: question → complete answer, 429s. */
  async conversations(args: { threads: number; turns: number; pacing: Pacing; team: string; timeoutMs: number }) {
    const w = running();
    const before = w.slack.total429();
    const questions = await conversations(w, args);
    const completeMs = questions.flatMap((q) =>
      q.doneAt !== undefined && q.sentAt !== undefined ? [q.doneAt - q.sentAt] : [],
    );
    return {
      ...report(questions),
      expected: args.threads * args.turns,
      completeMs,
      http429: w.slack.total429() - before,
    };
  },

  /** Follow-up questions in threads the bot already knows (its store was filled with the same keys). */
  async followUps(args: {
    threads: { team: string; channel: string; threadTs: string }[];
    pacing: Pacing;
    concurrency: number;
  }) {
    const w = running();
    const questions: Question[] = [];
    const queue = [...args.threads];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const question = w.question(args.pacing, { team: next.team }, next);
        questions.push(question);
        await w.ask(question);
        await w.settle([question], 30_000);
      }
    };
    await Promise.all(Array.from({ length: args.concurrency }, worker));
    return report(questions);
  },

  async close() {
    const w = running();
    await w.slack.close();
    await w.openai.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

export type FakesHandlers = typeof handlers;

serve(handlers);
ready();
