/** Knowledge retrieval for `npm run chat` and `npm run eval`: the bot's library, searched the way the bot searches. */
import { loadModelConfig } from '../config';
import type { Context } from '../conversation/context';
import type { Retrieve, Source } from '../playground/chat-session';
import { terminalLogger } from '../playground/terminal-logger';
import { formatPassages } from './format-passages';
import type { KnowledgeLibrary } from './library';
import { openKnowledgeLibrary } from './library-from-config';
import type { Passage } from './passage';

/** The playground's `retrieveFor`, and the library to close when the command ends. */
export interface PlaygroundKnowledge {
  retrieveFor(context: Context): Retrieve | undefined;
  close(): void;
}

/** Each excerpt's document and heading, once. */
function sourcesOf(passages: Passage[]): Source[] {
  const seen = new Set<string>();
  const sources: Source[] = [];
  for (const passage of passages) {
    // An H1 repeating the title is not a heading of its own (as in the Sources line).
    const headings = passage.headingPath[0] === passage.title ? passage.headingPath.slice(1) : passage.headingPath;
    const heading = headings.join(' › ') || undefined;
    const key = `${passage.docId}\n${heading ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sources.push({ title: passage.title, docId: passage.docId, ...(heading && { heading }) });
  }
  return sources;
}

/** Searches a context's folder with the question and the conversation's previous question, within the budget. */
export function retrieverFor(library: KnowledgeLibrary, tokenBudget: number) {
  return (context: Context): Retrieve | undefined => {
    const dir = context.knowledge;
    if (!dir) return undefined;
    return async (question, history) => {
      const base = await library.folder(dir);
      const previousQuestion = history.findLast((turn) => turn.role === 'user')?.text;
      const passages = await base.search(question, { tokenBudget, previousQuestion });
      return { passagesText: formatPassages(passages), sources: sourcesOf(passages) };
    };
  };
}

/**
 * Built from the same settings as the command's model client. Settings that do not parse give no retrieval: the
 * command itself reports them and stops.
 */
export function playgroundKnowledge(
  env: NodeJS.ProcessEnv,
  cwd: string,
  errors: { write(text: string): unknown },
): PlaygroundKnowledge {
  let config: ReturnType<typeof loadModelConfig>;
  try {
    config = loadModelConfig(env, cwd);
  } catch {
    return { retrieveFor: () => undefined, close: () => undefined };
  }
  const library = openKnowledgeLibrary(config, terminalLogger(errors));
  return { retrieveFor: retrieverFor(library, config.knowledge.tokenBudget), close: () => library.close() };
}
