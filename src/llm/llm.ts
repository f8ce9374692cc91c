/** One message of the conversation sent to the model. */
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
  /** Images shown with a user message, as `data:` URLs. Never logged, never stored. */
  images?: LlmImage[];
}

/** One image for the model. */
export interface LlmImage {
  /** `data:image/png;base64,…` */
  dataUrl: string;
  /** The file name, for the caller's bookkeeping (the APIs take no name). */
  name: string;
}

/** What the bot asks the model. The stable part (instructions) comes first so prompt caching works. */
export interface LlmRequest {
  /** System / developer instructions: the organisation's context and the bot's rules. */
  instructions: string;
  /** History oldest → newest, ending with the new question. */
  messages: LlmMessage[];
  /** Opaque end-user id for abuse tracking (hashed Slack ids), optional. */
  user?: string;
  /** Asks for JSON matching this schema (structured output), for answers a program reads, such as an eval verdict. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
}

/** Token usage reported at the end of a stream, when the provider reports it. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
}

/** A streamed piece of the answer, or its end. */
export type LlmEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      usage?: LlmUsage;
      truncated?: boolean;
      /** The server refused the images (a text-only model): the answer was made from the text alone. */
      visionRejected?: boolean;
    };

/** A streaming language model. Failures throw `LlmError`; aborting `signal` ends the stream quietly. */
export interface Llm {
  stream(request: LlmRequest, options: { signal: AbortSignal }): AsyncIterable<LlmEvent>;
}
