import type { Logger } from '../logger';

/** Options every backend accepts. */
export interface StoreOptions {
  /** Where a store reports trouble that no caller is waiting on (connection lost, purge failed). */
  logger?: Pick<Logger, 'warn'>;
}
