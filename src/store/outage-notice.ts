/** One warning when store calls of a kind start failing, debug lines while they go on failing, and a line when back. */
import type { Logger } from '../logger';

/** Tracks one kind of store call through an outage, so a store that is down does not flood the log. */
export class OutageNotice {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** A call failed: warns the first time, then only at debug until one succeeds (`log`: e.g. an answer's own). */
  failed(err: unknown, meta: Record<string, unknown> = {}, log: Logger = this.logger): void {
    const error = err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
    if (this.failing) log.debug(this.what, { ...meta, error });
    else log.warn(this.what, { ...meta, error });
    this.failing = true;
  }

  /** A call worked again. */
  ok(): void {
    if (this.failing) this.logger.info(`${this.what}: works again`);
    this.failing = false;
  }
}
