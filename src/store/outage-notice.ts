/** One warning when store calls of a kind start failing, debug lines while they go on failing, and a line when back. */
import type { Logger } from '../logger';

/** Tracks one kind of store call through an outage, so a store that is down does not flood the log. */
export class OutageNotice {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  /** A call failed: warns the first time, then only at debug until one succeeds. */
  failed(err: unknown, meta: Record<string, unknown> = {}): void {
    const error = err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
    if (this.failing) this.logger.debug(this.what, { ...meta, error });
    else this.logger.warn(this.what, { ...meta, error });
    this.failing = true;
  }

  /** A call worked again. */
  ok(): void {
    if (this.failing) this.logger.info(`${this.what}: works again`);
    this.failing = false;
  }
}
