/** What the question handler needs, built once in the composition root (src/app.ts). */
import type { Config } from '../config';
import type { Context, ContextRegistry } from '../conversation/context';
import type { Desk } from '../desk/desk';
import type { AttachmentDeps } from '../files/attachments';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';
import type { MemberDirectory } from '../slack/member-directory';
import type { ReplyStreamer } from '../slack/reply-types';
import type { SideWriter } from '../slack/side-writes';
import type { ClaimBook, ThreadHistory, ThreadLeases, UsageCounters } from '../store/thread-store';
import type { AnswerMetrics } from './outcomes';
import type { KnowledgeDeps } from './retrieval';
import type { StoreHealth } from './store-health';
import type { RepliesReader } from './thread-history';

/** What the handler needs; built once in the composition root. */
export interface HandlerDeps {
  config: Pick<
    Config,
    'history' | 'claimTtlMs' | 'answerTimeoutMs' | 'access' | 'recovery' | 'limits' | 'budgets' | 'deskAdmins'
  >;
  logger: Logger;
  store: ThreadHistory & ClaimBook & ThreadLeases & UsageCounters;
  llm: Llm;
  contexts: ContextRegistry;
  streamer: ReplyStreamer;
  side: SideWriter;
  slack: RepliesReader;
  botUserId: string;
  members: MemberDirectory;
  answerBlocks?: unknown[] | ((context: Context) => unknown[]);
  /** The support desk: handoffs, stepping back, question records. */
  desk?: Desk;
  /** Search of the contexts' knowledge folders (src/answering/retrieval.ts). */
  knowledge?: KnowledgeDeps;
  /** Reading attached files; absent: questions are answered from their text. */
  files?: AttachmentDeps;
  /** Question outcomes, answers in flight and answer times; nothing is reported without. */
  metrics?: AnswerMetrics;
  /** Whether the store is down or only slow, judged with the desk's handoffs; the handler's own without. */
  storeHealth?: StoreHealth;
}
