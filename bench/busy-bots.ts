// The bots of the one-workspace runs: each with fakes of its own, started and (with --profile) profiled by phase.
import { mkdirSync } from 'node:fs';
import { type Bot, type Fakes, type RunOptions, startBot, startFakes } from './processes';
import type { BenchStore } from './stores';
import type { TeamMode } from './workload';

/** One bot under measure: its own fakes (Slack's tiers on for the bot, off for the baseline) and process. */
export interface BusyBot {
  kind: 'bot' | 'sayStream';
  tiers: boolean;
  fakes: Fakes;
  bot: Bot;
}

/** Questions all from the one workspace `name`. */
export const team = (name: string): TeamMode => ({ team: name });

/** The bot (Slack's tiers on) or the baseline (tiers off), with fakes of its own. */
export async function startBusyBot(kind: BusyBot['kind'], store: BenchStore, options: RunOptions): Promise<BusyBot> {
  const tiers = kind === 'bot';
  const fakes = await startFakes(tiers ? 'tiers' : 'off');
  const bot = await startBot(fakes, options, { kind, storeUrl: store.url(), label: `bot-busy-${kind}` });
  return { kind, tiers, fakes, bot };
}

/** With --profile, `run` gets a CPU profile of its own in each bot process (phase name in the file name). */
export async function profiled<T>(
  bots: BusyBot[],
  options: RunOptions,
  phase: string,
  run: () => Promise<T>,
): Promise<T> {
  if (!options.profileDir) return run();
  mkdirSync(options.profileDir, { recursive: true });
  for (const b of bots) await b.bot.call.profileStart();
  try {
    return await run();
  } finally {
    for (const b of bots) await b.bot.call.profileStop(`${options.profileDir}/busy-${phase}-${b.kind}.cpuprofile`);
  }
}
