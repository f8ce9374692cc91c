import type { Context } from './context';
import { shown } from './context-file';

/** One consistent set of contexts with its lookup table, swapped in as a whole. */
export interface ContextSet {
  contexts: Context[];
  byChannel: Map<string, Context>;
  fallback: Context | undefined;
}

/**
 * Checks the contexts against each other (a channel claimed twice, more than one default) and builds the lookup
 * table; `problems` is empty when the set is consistent.
 */
export function buildContextSet(contexts: Context[]): { set: ContextSet; problems: string[] } {
  const problems: string[] = [];
  const byChannel = new Map<string, Context>();
  for (const context of contexts) {
    for (const channel of context.channels) {
      const owner = byChannel.get(channel);
      if (owner) problems.push(`channel ${channel} is claimed by both ${shown(owner.file)} and ${shown(context.file)}`);
      else byChannel.set(channel, context);
    }
  }
  const defaults = contexts.filter((context) => context.channels.length === 0);
  if (defaults.length > 1) {
    const names = defaults.map((context) => shown(context.file)).join(', ');
    problems.push(`only one context may have no channels (the default), but ${names} have none`);
  }
  const fallback = defaults[0];
  const ordered = fallback ? [fallback, ...contexts.filter((context) => context !== fallback)] : contexts;
  return { set: { contexts: ordered, byChannel, fallback }, problems };
}

/** The context that governs a channel: the one claiming it, else the default; DMs always get the default. */
export function contextFor(set: ContextSet, channelId: string, isDm: boolean): Context | undefined {
  return isDm ? set.fallback : (set.byChannel.get(channelId) ?? set.fallback);
}
