/** A prompt Slack shows under the message box in the agent view. */
export interface SuggestedPrompt {
  title: string;
  message: string;
}

/** One organisation context: a markdown file under CONTEXTS_DIR with YAML front matter. */
export interface Context {
  /** Display name, from front matter `name` (defaults to the file name without `.md`). */
  name: string;
  /** The file it came from, for error messages. */
  file: string;
  /** Channel ids this context claims; empty for the default context (DMs and unclaimed channels). */
  channels: string[];
  /** `mentions`: answer only when @mentioned (and in threads it joined); `all`: every top-level message too. */
  reply: 'mentions' | 'all';
  /** Prompts offered in the agent view (first context with any is used for DMs). */
  suggestedPrompts: SuggestedPrompt[];
  /** When true the model is told never to quote or reveal the context text. */
  confidential: boolean;
  /** If non-empty, only these user ids are answered under this context. */
  allowUsers: string[];
  /** The context text (markdown body), sent to the model as instructions. */
  text: string;
  /** Absolute path of the knowledge folder (front matter `knowledge`, relative to the contexts directory). */
  knowledge?: string;
  /** When true, a question the knowledge folder has nothing for is answered "not in the guides" without the model. */
  knowledgeOnly: boolean;
}

/** The live set of contexts, reloaded when files change. */
export interface ContextRegistry {
  /** The context that governs a channel: the one claiming it, else the default one (if any). */
  forChannel(channelId: string, isDm: boolean): Context | undefined;
  /** Every loaded context. */
  all(): Context[];
  /** Stops watching the directory. */
  close(): void;
}
