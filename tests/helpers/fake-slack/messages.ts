/** A message as the fake stores it: what conversations.replies serves and what test assertions read. */
export interface StoredMessage {
  channel: string;
  /** Unique and increasing, Slack-style ("1700000000.000100"). */
  ts: string;
  /** The thread root's ts, for replies (always the root, never a reply's ts). */
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  team?: string;
  subtype?: string;
  /** The text as it currently reads: plain text, or markdown for markdown_text and streams. */
  text: string;
  /** True between chat.startStream and chat.stopStream. */
  streaming: boolean;
  blocks?: unknown[];
  /** Stream chunks other than markdown text (task_update, plan_update, blocks), in arrival order. */
  chunks?: unknown[];
  files?: unknown[];
}

/** Every channel's messages, oldest first. */
export class MessageStore {
  private readonly byChannel = new Map<string, StoredMessage[]>();
  private lastMicros = 0;

  /** A fresh ts: wall-clock microseconds, bumped so that every ts is unique and increasing. */
  nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    return `${seconds}.${String(this.lastMicros % 1_000_000).padStart(6, '0')}`;
  }

  /** Stores a new message; a thread_ts naming a reply is resolved to its root, as Slack does. */
  add(message: Omit<StoredMessage, 'ts' | 'thread_ts'> & { thread_ts?: string }): StoredMessage {
    const { thread_ts, ...rest } = message;
    const stored: StoredMessage = { ...rest, ts: this.nextTs() };
    if (thread_ts !== undefined) stored.thread_ts = this.rootTs(message.channel, thread_ts);
    this.list(message.channel).push(stored);
    return stored;
  }

  find(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.find((message) => message.ts === ts);
  }

  remove(channel: string, ts: string): boolean {
    const list = this.list(channel);
    const index = list.findIndex((message) => message.ts === ts);
    if (index >= 0) list.splice(index, 1);
    return index >= 0;
  }

  /** The root and replies of the thread holding `ts`, oldest first; a lone message is a thread of one. */
  thread(channel: string, ts: string): StoredMessage[] {
    const root = this.rootTs(channel, ts);
    return this.list(channel).filter((message) => message.ts === root || message.thread_ts === root);
  }

  /** The root ts of the thread holding `ts` (itself when it is a root or unknown). */
  rootTs(channel: string, ts: string): string {
    return this.find(channel, ts)?.thread_ts ?? ts;
  }

  private list(channel: string): StoredMessage[] {
    let list = this.byChannel.get(channel);
    if (!list) {
      list = [];
      this.byChannel.set(channel, list);
    }
    return list;
  }
}
