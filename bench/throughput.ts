// Answers per second and bot CPU per answer with questions kept in flight: the per-store, ops-cost and one-workspace
// runs all measure it this way.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bot, Fakes } from './processes';
import { median } from './stats';
import type { Pacing, TeamMode } from './workload';

/** The model's pacing for paced scenarios, from the command line. */
export interface ModelPacing {
  ttftMs: number;
  tokensPerSecond: number;
}

export const INSTANT: Pacing = { chars: 200, ttftMs: 0, tokensPerSecond: 0 };

/** Answers per second and bot CPU per answer with `concurrency` questions always in flight. */
export interface Throughput {
  /** The best of the measured windows: other processes on the machine can only slow the bot down. */
  answersPerSecond: number;
  /** The median of the windows. */
  medianAnswersPerSecond: number;
  /** process.cpuUsage() of the bot process per answer (main thread and V8's helper threads), median of the windows. */
  cpuMsPerAnswer: number;
  /** CPU of the fakes process per answer: on 2 cores, the bot can only go as fast as the fakes leave room for. */
  fakesCpuMsPerAnswer: number;
  answered: number;
  unfinished: number;
  /** Each measured window: answers, answers/s, bot CPU ms per answer. */
  windows: { answered: number; rate: number; cpuMs: number }[];
  /**
   * Bot CPU per answer from the loop's first question until the last one was answered (or the settle time ran out).
   * With the Slack budget spent early (one workspace), windows hold either answers whose writes come a minute later
   * or only waiting: over the whole run every answer's work is counted with it, and so is what the waiting costs.
   */
  wholeCpuMsPerAnswer: number;
  /** Answers from the loop's first question until the last answer, per second of that time. */
  wholeAnswersPerSecond: number;
  /** Answers in that time. */
  answeredInRun: number;
}

/** Questions kept in flight while measuring throughput. */
export const CONCURRENCY = 16;
const WINDOWS = 3;
const WINDOW_MS = 2_500;

export async function throughput(
  fakes: Fakes,
  bot: Bot,
  concurrency: number,
  windows = WINDOWS,
  teams: TeamMode = 'unique',
  settleMs = 30_000,
): Promise<Throughput> {
  const [startUsage, startMark] = await Promise.all([bot.call.usage(), fakes.call.loopMark()]);
  await fakes.call.loopStart({ concurrency, pacing: INSTANT, teams });
  await sleep(1_500);
  const marks = [await Promise.all([bot.call.usage(), fakes.call.loopMark()])];
  for (let n = 0; n < windows; n++) {
    await sleep(WINDOW_MS);
    marks.push(await Promise.all([bot.call.usage(), fakes.call.loopMark()]));
  }
  const { unfinished } = await fakes.call.loopStop({ settleMs });
  const [end, total] = await Promise.all([bot.call.usage(), fakes.call.loopMark()]);
  const cpu = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
  const measured = marks.slice(1).map(([u1, m1], n) => {
    const [u0, m0] = marks[n];
    const answered = m1.answered - m0.answered;
    return {
      answered,
      rate: answered / ((m1.at - m0.at) / 1000),
      cpuMs: (cpu(u1.cpu) - cpu(u0.cpu)) / answered,
      fakesCpuMs: (cpu(m1.cpu) - cpu(m0.cpu)) / answered,
    };
  });
  return {
    answersPerSecond: Math.max(...measured.map((w) => w.rate)),
    medianAnswersPerSecond: median(measured.map((w) => w.rate)),
    cpuMsPerAnswer: median(measured.map((w) => w.cpuMs)),
    fakesCpuMsPerAnswer: median(measured.map((w) => w.fakesCpuMs)),
    answered: measured.reduce((sum, w) => sum + w.answered, 0),
    unfinished,
    windows: measured.map(({ answered, rate, cpuMs }) => ({ answered, rate, cpuMs })),
    // loopStart counts answers from 0, so `total.answered` is the whole run's.
    wholeCpuMsPerAnswer: (cpu(end.cpu) - cpu(startUsage.cpu)) / total.answered,
    wholeAnswersPerSecond: total.answered / ((total.at - startMark.at) / 1000),
    answeredInRun: total.answered,
  };
}
