/** A missing or malformed setting; `problems` lists every one, each naming its variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The thread store could not do what was asked (server down, bad URL, schema failure). */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** Why a model call failed, in words that decide what to do next, never shown to users. */
export type LlmErrorKind =
  | 'rate_limited'
  | 'auth'
  | 'bad_request'
  | 'server'
  | 'timeout'
  | 'stalled'
  | 'connection'
  | 'aborted';

/** The model call failed; `kind` drives retry and user messaging, `message` may hold upstream text (log only). */
export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/** A context file could not be read or has bad front matter. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/** An eval file is wrong: `file`, `line` (1-based, when known) and `key` say where, the message says what. */
export class EvalFileError extends Error {
  override name = 'EvalFileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${reason}`);
  }
}
