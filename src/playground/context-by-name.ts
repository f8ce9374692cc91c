/** Picking a context by name in the playground, or the one a DM gets, as the Slack app would. */
import type { Context, ContextRegistry } from '../conversation/context';

/** The context a name picks: its `name`, or its file name without `.md`, ignoring case. */
export function contextNamed(contexts: ContextRegistry, name: string): Context | undefined {
  const wanted = name.trim().toLowerCase();
  const stem = (file: string) => (file.split(/[\\/]/).pop() ?? file).replace(/\.md$/i, '').toLowerCase();
  return contexts.all().find((c) => c.name.toLowerCase() === wanted || stem(c.file) === wanted);
}

/** The context a DM gets (the default one) when no name is given, as in Slack. */
export function resolveContext(contexts: ContextRegistry, name?: string): Context {
  const context = name === undefined ? contexts.forChannel('', true) : contextNamed(contexts, name);
  if (context) return context;
  const known = contexts
    .all()
    .map((c) => c.name)
    .join(', ');
  throw new Error(
    name === undefined ? `no default context (known: ${known})` : `no context '${name}' (known: ${known})`,
  );
}
