import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDeskMethods, type DeskRecords } from './fake-slack/desk-methods';
import { appMentionEvent, type EventPayload, eventPayload, messageEvent } from './fake-slack/events';
import { type FakeFileInput, FileHost, type FileRequest } from './fake-slack/files';
import { channelType, Directory, type Identity, type UserSettings } from './fake-slack/identity';
import { type Fault, FaultScript, RateLimiter, type RateLimitMode } from './fake-slack/limits';
import { MessageStore, type StoredMessage } from './fake-slack/messages';
import { createMethods } from './fake-slack/methods';
import { type DeliverOptions, type Delivery, type EnvelopeRecord, SocketHub } from './fake-slack/socket-hub';
import { type RecordedCall, WebApi } from './fake-slack/web-api';

export type {
  Delivery,
  EnvelopeRecord,
  EventPayload,
  FakeFileInput,
  Fault,
  FileRequest,
  RecordedCall,
  StoredMessage,
  UserSettings,
};

/** How the fake workspace behaves; everything has a default. */
export interface FakeSlackOptions {
  /** Default 'T0001'. */
  teamId?: string;
  /** Default 'UBOT'. */
  botUserId?: string;
  /** Default 'B0001'. */
  botId?: string;
  /** Default 'A0001'. */
  appId?: string;
  /** 'tiers' enforces Slack's per-method limits with HTTP 429 + Retry-After. Default 'off'. */
  rateLimits?: RateLimitMode;
  /** Send the bot's own posts back as `message` events, as Slack does. Default true. */
  echoBotMessages?: boolean;
  /** How long an envelope may wait for its ack. Default 3000 (Slack's deadline before it retries). */
  ackTimeoutMs?: number;
  /** When set, chat.startStream answers {ok:false,error:<this>}. */
  refuseStreaming?: string;
  /** When set, chat.startStream with chunks other than markdown_text (task updates) answers {ok:false,error:<this>}. */
  refuseChunks?: string;
}

/** A user posting in Slack, as userMessage takes it. */
export interface UserMessage {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
  team?: string;
  subtype?: string;
  files?: unknown[];
  /** Set for a message from another bot. */
  botId?: string;
}

interface Settings {
  rateLimits: RateLimitMode;
  echoBotMessages: boolean;
  refuseStreaming?: string;
  refuseChunks?: string;
  teamId: string;
}

/** A loopback Slack: the Web API over HTTP and Socket Mode over WebSocket, with state and recordings for tests. */
export class FakeSlack {
  /** Web API base URL for WebClient's `slackApiUrl`, e.g. http://127.0.0.1:PORT/api/. */
  readonly apiUrl: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  private readonly identity: Identity;
  private readonly settings: Settings;
  private readonly store = new MessageStore();
  private readonly directory: Directory;
  private readonly hub: SocketHub;
  private readonly api: WebApi;
  private readonly limiter = new RateLimiter();
  private readonly faults = new FaultScript();
  private readonly statuses = new Map<string, string>();
  /** The support desk's calls: ephemeral messages, the bot's reactions, Home tabs. */
  readonly desk: DeskRecords = { ephemerals: [], reactions: [], homes: new Map() };
  private readonly payloads = new Map<string, { payload: object; attempt: number }>();
  /** Files served behind the bot token (files-pri → redirect → files-tmb), and files.info. */
  readonly files: FileHost;

  private constructor(
    private readonly server: Server,
    options: FakeSlackOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.apiUrl = `http://127.0.0.1:${port}/api/`;
    this.teamId = options.teamId ?? 'T0001';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'B0001';
    this.appId = options.appId ?? 'A0001';
    this.identity = { teamId: this.teamId, botUserId: this.botUserId, botId: this.botId, appId: this.appId };
    this.settings = {
      rateLimits: options.rateLimits ?? 'off',
      echoBotMessages: options.echoBotMessages ?? true,
      refuseStreaming: options.refuseStreaming,
      refuseChunks: options.refuseChunks,
      teamId: this.teamId,
    };
    this.directory = new Directory(this.identity);
    this.hub = new SocketHub(this.appId, options.ackTimeoutMs ?? 3000);
    const methods = createMethods({
      identity: this.identity,
      store: this.store,
      directory: this.directory,
      settings: this.settings,
      openSocketUrl: () => `ws://127.0.0.1:${port}/link?ticket=${this.hub.issueTicket()}`,
      botPosted: (message) => this.botPosted(message),
      setThreadStatus: (channel, threadTs, status) => this.statuses.set(`${channel}/${threadTs}`, status),
    });
    this.files = new FileHost(`http://127.0.0.1:${port}`, this.teamId);
    methods['files.info'] = (args) => this.files.info(args.file);
    const deskMethods = createDeskMethods(this.identity, this.store, this.desk);
    this.api = new WebApi({ ...methods, ...deskMethods }, this.settings, this.limiter, this.faults);
    server.on('request', (request, response) => {
      if (this.files.handle(request, response)) return;
      this.api.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(JSON.stringify({ ok: false, error: `fake_failure: ${String(error)}` }));
      });
    });
    server.on('upgrade', (request, socket, head) => this.hub.handleUpgrade(request, socket, head));
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeSlack(server, options);
  }

  get rateLimits(): RateLimitMode {
    return this.settings.rateLimits;
  }
  set rateLimits(mode: RateLimitMode) {
    this.settings.rateLimits = mode;
  }
  get echoBotMessages(): boolean {
    return this.settings.echoBotMessages;
  }
  set echoBotMessages(on: boolean) {
    this.settings.echoBotMessages = on;
  }
  get refuseStreaming(): string | undefined {
    return this.settings.refuseStreaming;
  }
  set refuseStreaming(error: string | undefined) {
    this.settings.refuseStreaming = error;
  }
  /** e.g. 'invalid_chunks': streams may start, but not with task updates (the status line must say it instead). */
  get refuseChunks(): string | undefined {
    return this.settings.refuseChunks;
  }
  set refuseChunks(error: string | undefined) {
    this.settings.refuseChunks = error;
  }

  // --- Recordings ---

  /** Every Web API call, in arrival order. */
  get calls(): RecordedCall[] {
    return this.api.calls;
  }
  /** 429 answers per method (tier limits and scripted ones). */
  get rateLimited(): Record<string, number> {
    return this.api.rateLimited;
  }
  /** Envelope sent → ack received, in milliseconds, per acked envelope. */
  get ackLatencies(): number[] {
    return this.hub.ackLatencies;
  }
  /** Every envelope sent, with its connection and ack. */
  get envelopes(): EnvelopeRecord[] {
    return this.hub.envelopes;
  }

  callsFor(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  total429(): number {
    return this.api.total429();
  }

  /** Forgets the calls counted in the rate windows (a fresh minute for every workspace), keeping the recordings. */
  clearRateWindows(): void {
    this.limiter.clear();
  }

  /** Clears recordings (calls, 429 counts, envelopes, ack latencies), rate windows and scripted faults. */
  reset(): void {
    this.api.clearRecords();
    this.hub.clearRecords();
    this.limiter.clear();
    this.faults.clear();
  }

  // --- Workspace state ---

  /** The thread's messages (root + replies), oldest first, as they read now. */
  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.store.thread(channel, threadTs).map((message) => ({ ...message }));
  }

  /** The bot's messages in the thread. */
  botReplies(channel: string, threadTs: string): StoredMessage[] {
    return this.thread(channel, threadTs).filter((message) => message.bot_id === this.botId);
  }

  /** The assistant status last set on the thread ('' or undefined when cleared). */
  threadStatus(channel: string, threadTs: string): string | undefined {
    return this.statuses.get(`${channel}/${threadTs}`);
  }

  setUser(id: string, settings: UserSettings): void {
    this.directory.setUser(id, settings);
  }

  /** Overrides fields of conversations.info's answer for a channel. */
  setChannel(id: string, fields: Record<string, unknown>): void {
    this.directory.setChannel(id, fields);
  }

  /** Scripts the next call(s) of `method` to fail. */
  failNext(method: string, fault: Fault = {}): void {
    this.faults.add(method, fault);
  }

  // --- Events ---

  /**
   * A user posts: the message is stored and its `message` event delivered, plus a separate `app_mention`
   * envelope when a non-DM message mentions the bot. Resolves once every envelope was acked.
   */
  async userMessage(input: UserMessage): Promise<{ ts: string; eventIds: string[] }> {
    const team = input.team ?? this.teamId;
    const message = this.store.add({
      channel: input.channel,
      thread_ts: input.threadTs,
      user: input.user,
      team,
      text: input.text,
      streaming: false,
      ...(input.botId ? { bot_id: input.botId } : {}),
      ...(input.subtype ? { subtype: input.subtype } : {}),
      ...(input.files ? { files: input.files } : {}),
    });
    if (channelType(input.channel) === 'im') this.directory.noteDmUser(input.channel, input.user);
    const clientMsgId = randomUUID();
    const root = message.thread_ts ? this.store.find(message.channel, message.thread_ts) : undefined;
    const events: Array<Record<string, unknown>> = [
      messageEvent(message, this.identity, {
        ...(input.botId ? {} : { client_msg_id: clientMsgId }),
        ...(root?.user ? { parent_user_id: root.user } : {}),
      }),
    ];
    if (channelType(input.channel) !== 'im' && input.text.includes(`<@${this.botUserId}>`)) {
      events.push(appMentionEvent(message, clientMsgId));
    }
    const payloads = events.map((event) => this.eventPayload(event));
    await Promise.all(payloads.map((payload) => this.deliver(payload)));
    return { ts: message.ts, eventIds: payloads.map((payload) => payload.event_id) };
  }

  /** Delivers an interactivity payload (block_actions…) in an `interactive` envelope; resolves when acked. */
  interaction(payload: Record<string, unknown>): Promise<Delivery> {
    return this.hub.deliver(payload, { envelopeType: 'interactive' });
  }

  /** Delivers any inner event (message_changed, member_joined_channel…) wrapped as Slack would. */
  async systemEvent(event: Record<string, unknown>): Promise<Delivery & { eventId: string }> {
    const payload = this.eventPayload(event);
    return { ...(await this.deliver(payload)), eventId: payload.event_id };
  }

  /** Wraps an inner event in an event_callback payload with a fresh event_id (not delivered). */
  eventPayload(event: Record<string, unknown>): EventPayload {
    return eventPayload(this.identity, event);
  }

  /**
   * Sends one events_api envelope carrying `payload`; resolves when acked, rejects after ackTimeoutMs. Queued while
   * nothing is connected. An envelope whose connection dies before the ack is not retried: use redeliver().
   */
  deliver(payload: object, options: Omit<DeliverOptions, 'avoidConnection'> = {}): Promise<Delivery> {
    const eventId = (payload as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string') {
      const attempt = Math.max(options.retryAttempt ?? 0, this.payloads.get(eventId)?.attempt ?? 0);
      this.payloads.set(eventId, { payload, attempt });
    }
    return this.hub.deliver(payload, options);
  }

  /** Sends an earlier event again with retry_attempt + 1 and retry_reason 'timeout', as Slack's retries do. */
  redeliver(eventId: string, options: { toOtherConnection?: boolean } = {}): Promise<Delivery> {
    const earlier = this.payloads.get(eventId);
    if (!earlier) throw new Error(`fake-slack: no event ${eventId} was delivered`);
    earlier.attempt += 1;
    const avoidConnection = options.toOtherConnection ? this.hub.lastConnectionFor(eventId) : undefined;
    return this.hub.deliver(earlier.payload, {
      retryAttempt: earlier.attempt,
      retryReason: 'timeout',
      avoidConnection,
    });
  }

  /** Sends anything over a connection, unacked and unrecorded (malformed envelopes, fuzzing). */
  sendRaw(message: string | object, connection?: number): void {
    this.hub.sendRaw(message, connection);
  }

  // --- Connections ---

  connectionCount(): number {
    return this.hub.connectionIds().length;
  }

  /** Ids of the open connections, in connection order (for deliver's `connection`). */
  connectionIds(): number[] {
    return this.hub.connectionIds();
  }

  async waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => this.connectionCount() >= count, timeoutMs);
  }

  /** Sends {type:'disconnect', reason} to every client, then closes the sockets. */
  disconnectAll(reason = 'refresh_requested'): Promise<void> {
    return this.hub.disconnectAll(reason);
  }

  /** Terminates every socket without a close frame. */
  dropAll(): void {
    this.hub.dropAll();
  }

  // --- Utilities ---

  /** Polls `condition` every 10 ms until it returns something other than undefined/false/null. */
  async waitFor<T>(condition: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = condition();
      if (value !== undefined && value !== false && value !== null) return value;
      if (performance.now() > deadline) throw new Error(`fake-slack: waitFor timed out after ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** Rejects pending deliveries, closes the sockets (close frames; stop the apps first) and the server. */
  async close(): Promise<void> {
    await this.hub.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private botPosted(message: StoredMessage): void {
    if (message.thread_ts) this.statuses.delete(`${message.channel}/${message.thread_ts}`);
    if (!this.settings.echoBotMessages) return;
    const payload = this.eventPayload(messageEvent(message, this.identity));
    // After the API answer is written, as with Slack, where the event usually trails the response.
    setImmediate(() => {
      this.deliver(payload).catch(() => undefined);
    });
  }
}

/** Starts a fake Slack on a free loopback port. */
export function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return FakeSlack.start(options);
}
