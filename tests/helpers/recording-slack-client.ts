import type { SlackWriter } from '../../src/slack/reply-types';

type Args = Record<string, unknown>;

/** One call the fake received: when (by the injected clock), with what, and how it ended. */
export interface RecordedCall {
  method: string;
  args: Args;
  at: number;
  error?: string;
}

/** A message as Slack would hold it after the calls so far. */
export interface FakeMessage {
  ts: string;
  channel: string;
  threadTs: string;
  via: 'stream' | 'post';
  streaming: boolean;
  text: string;
  blocks?: unknown[];
  /** Chunks other than markdown text the stream started with (task updates). */
  chunks?: unknown[];
}

/** Decides a scripted failure for a call: return a Slack error code (or an Error to throw as is) to fail it. */
export type FailureRule = (method: string, args: Args, call: number) => string | Error | undefined;

/** Shaped like @slack/web-api's WebAPIPlatformError: `code` and `data.error`. */
export function platformError(error: string): Error {
  return Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });
}

/** Shaped like @slack/web-api's WebAPIRateLimitedError (thrown when its retries are exhausted). */
export function rateLimitedError(retryAfter = 30): Error {
  return Object.assign(
    new Error(`A rate-limit has been reached, you may retry this request in ${retryAfter} seconds`),
    {
      code: 'slack_webapi_rate_limited_error',
      retryAfter,
    },
  );
}

const MAX_MARKDOWN = 12_000;

/**
 * A recording stand-in for the chat.* write methods of WebClient, for unit tests. It keeps messages the way Slack
 * would (streams append until stopped, updates replace), enforces the rules that bite (recipients outside DMs,
 * no update while streaming, no append after stop, 12,000-character payloads), and can be scripted to fail or lag.
 */
export class RecordingSlackClient implements SlackWriter {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  private readonly rules: FailureRule[] = [];
  private sequence = 0;

  constructor(
    private readonly options: {
      now?: () => number;
      /** Milliseconds each call takes, fixed or per call. */
      latencyMs?: number | ((method: string, args: Args) => number);
    } = {},
  ) {}

  readonly chat = {
    startStream: (args: Args) => this.call('chat.startStream', args, () => this.startStream(args)),
    appendStream: (args: Args) => this.call('chat.appendStream', args, () => this.appendStream(args)),
    stopStream: (args: Args) => this.call('chat.stopStream', args, () => this.stopStream(args)),
    postMessage: (args: Args) => this.call('chat.postMessage', args, () => this.postMessage(args)),
    update: (args: Args) => this.call('chat.update', args, () => this.update(args)),
    delete: (args: Args) => this.call('chat.delete', args, () => this.delete(args)),
  };

  readonly assistant = {
    threads: {
      setStatus: (args: Args) => this.call('assistant.threads.setStatus', args, () => this.setStatus(args)),
      setSuggestedPrompts: (args: Args) => this.call('assistant.threads.setSuggestedPrompts', args, () => ({})),
    },
  };

  /** The status line last set per thread, keyed `channel/thread_ts` ('' once cleared). */
  readonly statuses = new Map<string, string>();

  /** Adds a failure rule; rules are asked in order, the first answer wins. */
  failWhen(rule: FailureRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Fails the next `times` calls of `method` with the Slack error `error`. */
  failNext(method: string, error: string | Error, times = 1): this {
    let left = times;
    return this.failWhen((called) => {
      if (called !== method || left <= 0) return undefined;
      left--;
      return error;
    });
  }

  /** Messages in a thread, oldest first. */
  thread(channel: string, threadTs: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.threadTs === threadTs);
  }

  /** The calls for one thread (by channel, and thread_ts or a message of the thread). */
  callsFor(channel: string, threadTs: string): RecordedCall[] {
    const ts = new Set(this.thread(channel, threadTs).map((m) => m.ts));
    return this.calls.filter(
      (c) => c.args.channel === channel && (c.args.thread_ts === threadTs || ts.has(String(c.args.ts))),
    );
  }

  private async call(method: string, args: Args, apply: () => Args): Promise<Args> {
    const record: RecordedCall = { method, args: structuredClone(args), at: this.now() };
    this.calls.push(record);
    const latency =
      typeof this.options.latencyMs === 'function' ? this.options.latencyMs(method, args) : this.options.latencyMs;
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
    try {
      const scripted = this.rules.map((rule) => rule(method, args, this.calls.length - 1)).find((r) => r !== undefined);
      if (scripted instanceof Error) throw scripted;
      if (scripted !== undefined) throw platformError(scripted);
      return { ok: true, ...apply() };
    } catch (err) {
      record.error = (err as { data?: { error?: string } }).data?.error ?? (err as Error).message;
      throw err;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private newTs(): string {
    this.sequence++;
    return `1700000000.${String(this.sequence).padStart(6, '0')}`;
  }

  private message(args: Args): FakeMessage {
    const message = this.messages.get(String(args.ts));
    if (!message || message.channel !== args.channel) throw platformError('message_not_found');
    return message;
  }

  private startStream(args: Args): Args {
    const channel = String(args.channel);
    if (!channel.startsWith('D') && !args.recipient_user_id) throw platformError('missing_recipient_user_id');
    if (!channel.startsWith('D') && !args.recipient_team_id) throw platformError('missing_recipient_team_id');
    const { text, chunks } = streamStartArgs(args);
    const ts = this.newTs();
    const message: FakeMessage = {
      ts,
      channel,
      threadTs: String(args.thread_ts),
      via: 'stream',
      streaming: true,
      text,
      ...(chunks.length > 0 && { chunks }),
    };
    this.messages.set(ts, message);
    return { ts, channel };
  }

  private appendStream(args: Args): Args {
    const message = this.message(args);
    if (!message.streaming) throw platformError('message_not_in_streaming_state');
    const text = textArg(args);
    if (message.text.length + text.length > MAX_MARKDOWN) throw platformError('msg_too_long');
    message.text += text;
    return { ts: message.ts, channel: message.channel };
  }

  private stopStream(args: Args): Args {
    const message = this.message(args);
    if (!message.streaming) throw platformError('message_not_in_streaming_state');
    const text = args.markdown_text === undefined ? '' : textArg(args);
    if (message.text.length + text.length > MAX_MARKDOWN) throw platformError('msg_too_long');
    message.text += text;
    message.streaming = false;
    if (args.blocks) message.blocks = args.blocks as unknown[];
    return { ts: message.ts, channel: message.channel };
  }

  private postMessage(args: Args): Args {
    const { text, blocks } = contentArgs(args);
    const ts = this.newTs();
    const channel = String(args.channel);
    this.messages.set(ts, {
      ts,
      channel,
      threadTs: String(args.thread_ts),
      via: 'post',
      streaming: false,
      text,
      blocks,
    });
    return { ts, channel };
  }

  private delete(args: Args): Args {
    const message = this.message(args);
    this.messages.delete(message.ts);
    return { ts: message.ts, channel: message.channel };
  }

  private setStatus(args: Args): Args {
    if (typeof args.status !== 'string') throw platformError('invalid_arguments');
    this.statuses.set(`${args.channel_id}/${args.thread_ts}`, args.status);
    return {};
  }

  private update(args: Args): Args {
    const message = this.message(args);
    if (message.streaming) throw platformError('streaming_state_conflict');
    const { text, blocks } = contentArgs(args);
    message.text = text;
    message.blocks = blocks;
    return { ts: message.ts, channel: message.channel };
  }
}

function textArgOrPlain(args: Args): string {
  if (typeof args.text === 'string' && args.text !== '' && args.markdown_text === undefined) return args.text;
  return textArg(args);
}

// A stream starts with markdown_text, or with chunks whose markdown_text chunks carry the text.
function streamStartArgs(args: Args): { text: string; chunks: unknown[] } {
  if (!Array.isArray(args.chunks)) return { text: textArg(args), chunks: [] };
  const chunks = args.chunks as Array<{ type?: unknown; text?: unknown }>;
  const text = chunks.map((chunk) => (chunk.type === 'markdown_text' ? String(chunk.text) : '')).join('');
  return { text: textArg({ markdown_text: text }), chunks: chunks.filter((chunk) => chunk.type !== 'markdown_text') };
}

function textArg(args: Args): string {
  const text = args.markdown_text;
  if (typeof text !== 'string' || text === '') throw platformError('invalid_arguments');
  if (text.length > MAX_MARKDOWN) throw platformError('msg_too_long');
  return text;
}

// Either markdown_text alone, or blocks whose markdown blocks carry the text (Slack rejects markdown_text + blocks).
function contentArgs(args: Args): { text: string; blocks?: unknown[] } {
  if (args.blocks === undefined) return { text: textArgOrPlain(args) };
  if (args.markdown_text !== undefined) throw platformError('invalid_arguments');
  const blocks = args.blocks as Array<{ type?: string; text?: unknown }>;
  const markdown = blocks.filter((block) => block.type === 'markdown').map((block) => String(block.text));
  const text = markdown.join('');
  if (text.length > MAX_MARKDOWN) throw platformError('msg_too_long');
  return { text, blocks: blocks.filter((block) => block.type !== 'markdown') };
}
