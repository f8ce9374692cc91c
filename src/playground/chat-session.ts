/** The Slack-free answering loop behind `npm run chat` and `npm run eval`: one conversation with one context. */
import type { Context, ContextRegistry } from '../conversation/context';
import { buildInstructions, buildRequest, turnTokens } from '../conversation/prompt';
import { countTokens } from '../conversation/tokens';
import type { Turn } from '../conversation/turn';
import type { Llm, LlmUsage } from '../llm/llm';
import { type Attach, type Attachment, readTextAttachment, withAttachments } from './attachments';
import { resolveContext } from './context-by-name';

/** A knowledge document a passage came from. */
export interface Source {
  title: string;
  heading?: string;
  docId: string;
}

/** What knowledge retrieval found for a question. */
export interface Retrieved {
  passagesText: string;
  sources: Source[];
}

/** Knowledge retrieval for a context, when it has a knowledge folder. */
export type Retrieve = (question: string, history: Turn[]) => Promise<Retrieved>;

/** Where the tokens of the last request went (counted locally), and what the model reported. */
export interface RequestStats {
  instructions: number;
  history: number;
  historyTurns: number;
  passages: number;
  question: number;
  /** As reported by the model server, when it reports usage. */
  usage?: LlmUsage;
}

/** One answer. `stopped`: the caller aborted it; nothing is kept in the history then. */
export interface Answer {
  text: string;
  stopped: boolean;
  truncated: boolean;
  usage?: LlmUsage;
  sources: Source[];
  latencyMs: number;
}

/** What a session needs; the same pieces the Slack app is built from. */
export interface ChatSessionDeps {
  llm: Llm;
  contexts: ContextRegistry;
  /** HISTORY_TOKEN_BUDGET: history plus the question. */
  tokenBudget: number;
  /** Knowledge retrieval for a context; none means the context has no knowledge folder. */
  retrieveFor?: (context: Context) => Retrieve | undefined;
  /** How `/file` reads a file; default: a text file, capped. */
  attach?: Attach;
}

/** Retrieved passages go right before the question: they change with every question, so they come last. */
export function withPassages(question: string, passagesText: string): string {
  if (!passagesText.trim()) return question;
  return `Passages from the knowledge base that may help:\n\n${passagesText}\n\n---\n\n${question}`;
}

/** One playground conversation: history, the pending attachments and what the last request held. */
export class ChatSession {
  #context: Context;
  #instructions: string;
  #history: Turn[];
  #pending: Attachment[] = [];
  #lastStats: RequestStats | undefined;
  #lastSources: Source[] = [];

  constructor(
    private readonly deps: ChatSessionDeps,
    context: Context,
    history: Turn[] = [],
  ) {
    this.#context = context;
    this.#instructions = buildInstructions(context);
    this.#history = [...history];
  }

  get context(): Context {
    return this.#context;
  }

  /** The conversation so far, oldest first. */
  history(): readonly Turn[] {
    return this.#history;
  }

  /** Forgets the conversation and any attachment not yet sent. */
  reset(): void {
    this.#history = [];
    this.#pending = [];
    this.#lastStats = undefined;
    this.#lastSources = [];
  }

  /** Switches to another context; a new context starts a new conversation, as a new Slack thread would. */
  useContext(name: string): Context {
    const context = resolveContext(this.deps.contexts, name);
    this.#context = context;
    this.#instructions = buildInstructions(context);
    this.reset();
    return context;
  }

  /** Whether the current context has knowledge to retrieve from. */
  hasKnowledge(): boolean {
    return this.deps.retrieveFor?.(this.#context) !== undefined;
  }

  /** Reads a file to go with the next question. */
  async attach(file: string): Promise<Attachment> {
    const attachment = await (this.deps.attach ?? readTextAttachment)(file);
    this.#pending.push(attachment);
    return attachment;
  }

  lastRequest(): RequestStats | undefined {
    return this.#lastStats;
  }

  /** The knowledge documents the last question's passages came from. */
  lastSources(): readonly Source[] {
    return this.#lastSources;
  }

  /** Asks the model, streaming the answer through `onDelta`; aborting `signal` stops it. */
  async ask(question: string, options: { signal: AbortSignal; onDelta?: (text: string) => void }): Promise<Answer> {
    const started = performance.now();
    this.followEdits();
    const asked = withAttachments(question, this.#pending);
    this.#pending = [];
    const retrieve = this.deps.retrieveFor?.(this.#context);
    const retrieved = retrieve ? await retrieve(question, [...this.#history]) : { passagesText: '', sources: [] };
    const built = buildRequest({
      context: this.#context,
      instructions: this.#instructions,
      history: this.#history,
      question: withPassages(asked, retrieved.passagesText),
      tokenBudget: this.deps.tokenBudget,
    });
    const sent = built.request.messages;
    const passages = retrieved.passagesText.trim() ? countTokens(retrieved.passagesText) : 0;
    const stats: RequestStats = {
      instructions: countTokens(this.#instructions),
      history: this.#history.slice(this.#history.length - built.kept).reduce((sum, t) => sum + turnTokens(t), 0),
      historyTurns: built.kept,
      passages,
      question: Math.max(0, countTokens(sent[sent.length - 1].content) - passages),
    };
    this.#lastStats = stats;
    this.#lastSources = retrieved.sources;

    let text = '';
    let done: { usage?: LlmUsage; truncated?: boolean } | undefined;
    for await (const event of this.deps.llm.stream(built.request, { signal: options.signal })) {
      if (event.type === 'delta') {
        text += event.text;
        options.onDelta?.(event.text);
      } else {
        done = event;
      }
    }
    stats.usage = done?.usage;
    const stopped = options.signal.aborted;
    if (!stopped) this.#remember(asked, text);
    const latencyMs = Math.round(performance.now() - started);
    return {
      text,
      stopped,
      truncated: done?.truncated === true,
      usage: done?.usage,
      sources: retrieved.sources,
      latencyMs,
    };
  }

  /** Picks up an edit of the context file (the registry reloads it), as the Slack app does; true when it changed. */
  followEdits(): boolean {
    const latest = this.deps.contexts.all().find((c) => c.file === this.#context.file);
    if (!latest || latest === this.#context) return false;
    this.#context = latest;
    this.#instructions = buildInstructions(latest);
    return true;
  }

  #remember(question: string, answer: string): void {
    const ts = (Date.now() / 1000).toFixed(6);
    this.#history.push(
      { role: 'user', text: question, ts, tokens: countTokens(question) },
      { role: 'assistant', text: answer, ts, tokens: countTokens(answer) },
    );
  }
}
