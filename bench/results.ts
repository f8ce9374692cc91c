import type { BusyResult } from './busy';
import type { MemoryResult } from './memory-footprint';
import type { botLog } from './processes';
import type { LoggingResult, StoreResult } from './scenarios';
import type { Summary } from './stats';
import type { LongResult } from './streaming-runs';
import type { ModelPacing } from './throughput';
import type { TwoInstancesResult } from './two-instances';

/** Everything one run measured. */
export interface BenchResults {
  machine: Record<string, string>;
  pacing: ModelPacing;
  perStore: StoreResult[];
  skipped: string[];
  logging: LoggingResult;
  memory: MemoryResult[];
  firstText: Record<'bot' | 'sayStream', { firstVisible: Summary; unmatched: number; answered: number }>;
  long: LongResult[];
  busy: BusyResult[];
  twoInstances: TwoInstancesResult[];
  botLog: typeof botLog;
  seconds: number;
}
