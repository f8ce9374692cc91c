/** The knowledge step of an answer: search the context's folder, show the search, and cite the sources under it. */
import type { Context } from '../conversation/context';
import type { Turn } from '../conversation/turn';
import { citeSources, createCitationFilter, formatPassages, type Passage, searchingStatus } from '../knowledge';
import { cleanCitations } from '../knowledge/cite-sources';
import type { KnowledgeLibrary } from '../knowledge/library';
import type { Logger } from '../logger';
import type { ReplyStream } from '../slack/reply-types';
import { describe } from './describe-error';
import { foundSections, searchedGuidesTask, WORKING } from './wording';

/** Knowledge search for answers; absent when no context names a folder (tests, a bot without knowledge). */
export interface KnowledgeDeps {
  library: KnowledgeLibrary;
  /** KNOWLEDGE_TOKEN_BUDGET: tokens of excerpts sent with a question. */
  tokenBudget: number;
}

/** What the search means for one answer. */
export interface Found {
  /** The numbered excerpts (or the "nothing found" note) for buildRequest; undefined without a folder. */
  passages?: string;
  /** `knowledge_only` and nothing found: the answer is NOT_IN_GUIDES_REPLY, and the model is not asked. */
  abstain: boolean;
  /** The search as a task (with its sources) for the top of the streamed reply. */
  chunks?: unknown[];
  /** The reply with invented citations removed as they stream, and the "Sources" line written before it finishes. */
  cite(reply: ReplyStream): ReplyStream;
  /**
   * The answer as kept in the thread's history: without citation numbers and without the Sources line. The numbers
   * point into this question's excerpts; the next question's are numbered anew and old numbers would mislead.
   */
  forHistory(text: string): string;
}

/** An answer from a context without a knowledge folder (or whose search failed): nothing changes. */
export const NO_KNOWLEDGE: Found = { abstain: false, cite: (reply) => reply, forHistory: (text) => text };

/** The status line while an answer is prepared: the search, for a context with a folder. */
export function workingStatus(knowledge: KnowledgeDeps | undefined, context: Context): string {
  return knowledge && context.knowledge ? searchingStatus(context.name) : WORKING;
}

/**
 * Searches the context's folder for `question`, with the thread's previous question so that a follow-up ("and on a
 * Mac?") finds what the conversation is about. A failed search is logged and the answer goes on without excerpts.
 */
export async function retrieveKnowledge(
  deps: { knowledge?: KnowledgeDeps; logger: Logger },
  context: Context,
  question: string,
  history: Turn[],
  ref: string,
): Promise<Found> {
  const { knowledge, logger } = deps;
  if (!knowledge || !context.knowledge) return NO_KNOWLEDGE;
  const previousQuestion = history.findLast((turn) => turn.role === 'user')?.text;
  let passages: Passage[];
  try {
    const base = await knowledge.library.folder(context.knowledge);
    passages = await base.search(question, { tokenBudget: knowledge.tokenBudget, previousQuestion });
  } catch (err) {
    logger.warn('knowledge search failed: answering without the guides', { ref, error: describe(err) });
    return NO_KNOWLEDGE;
  }
  logger.debug('knowledge searched', { ref, passages: passages.length, documents: documentsOf(passages).length });
  return {
    passages: formatPassages(passages),
    abstain: passages.length === 0 && context.knowledgeOnly,
    chunks: [searchTask(context, passages)],
    cite: (reply) => citingReply(reply, passages),
    forHistory: (text) => cleanCitations(text, 0).text,
  };
}

/** One passage per document, in rank order. */
function documentsOf(passages: Passage[]): Passage[] {
  const seen = new Set<string>();
  return passages.filter((passage) => !seen.has(passage.docId) && seen.add(passage.docId));
}

/** Slack's task_update chunk: the search, done, with links to the documents found (those that have a url). */
function searchTask(context: Context, passages: Passage[]): Record<string, unknown> {
  const sources = documentsOf(passages)
    .filter((passage) => passage.url !== undefined)
    .map((passage) => ({ type: 'url', url: passage.url, text: passage.title }));
  return {
    type: 'task_update',
    id: 'knowledge-search',
    title: searchedGuidesTask(context.name),
    status: 'complete',
    output: foundSections(passages.length),
    ...(sources.length > 0 && { sources }),
  };
}

/** Passes the answer through the citation filter, and adds the Sources line (documents actually cited) at its end. */
function citingReply(reply: ReplyStream, passages: Passage[]): ReplyStream {
  const filter = createCitationFilter(passages.length);
  let written = '';
  // What was cited so far is listed even under an answer cut short: its [n] should lead somewhere.
  const end = () => {
    const rest = filter.end();
    if (rest) reply.write(rest);
    const { sources } = citeSources(written, passages, 'markdown');
    if (sources) reply.write(`\n\n${sources}`);
  };
  return {
    write(delta) {
      written += delta;
      const ready = filter.write(delta);
      if (ready) reply.write(ready);
    },
    finish(options) {
      end();
      return reply.finish(options);
    },
    abort(note) {
      end();
      return reply.abort(note);
    },
  };
}
