import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

/** Options for one envelope delivery. */
export interface DeliverOptions {
  retryAttempt?: number;
  retryReason?: string;
  /** Send on this connection (by id) instead of the next one in the round robin. */
  connection?: number;
  /** Send on any open connection but this one. */
  avoidConnection?: number;
  /** The envelope's type; default `events_api` (`interactive` for button clicks). */
  envelopeType?: string;
}

/** How a delivery went. */
export interface Delivery {
  /** Envelope sent → ack received, in milliseconds. */
  ackMs: number;
  envelopeId: string;
  connection: number;
}

/** One envelope the fake sent, as recorded for assertions. */
export interface EnvelopeRecord {
  envelopeId: string;
  eventId?: string;
  eventType?: string;
  retryAttempt: number;
  connection: number;
  /** performance.now() when sent. */
  sentAt: number;
  /** Set once acked. */
  ackMs?: number;
  /** What the client put in its ack's `payload`. */
  ackPayload?: unknown;
}

interface Connection {
  id: number;
  socket: WebSocket;
}

interface Outgoing {
  envelope: Record<string, unknown> & { envelope_id: string };
  resolve(delivery: Delivery): void;
  reject(error: Error): void;
}

interface AwaitingAck extends Outgoing {
  record: EnvelopeRecord;
  timer: NodeJS.Timeout;
}

/**
 * Slack's Socket Mode side: one-time tickets, hello, envelopes spread round-robin over open connections, acks
 * matched by envelope_id, and a queue for envelopes that find no open connection (sent in order on the next hello).
 */
export class SocketHub {
  readonly ackLatencies: number[] = [];
  readonly envelopes: EnvelopeRecord[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Map<number, Connection>();
  private readonly tickets = new Set<string>();
  private readonly queue: Outgoing[] = [];
  private readonly awaiting = new Map<string, AwaitingAck>();
  private readonly lastConnectionByEvent = new Map<string, number>();
  private nextConnectionId = 1;
  private nextTicket = 1;
  private roundRobin = 0;

  constructor(
    private readonly appId: string,
    private readonly ackTimeoutMs: number,
  ) {}

  /** A single-use ticket for the URL apps.connections.open hands out. */
  issueTicket(): string {
    const ticket = String(this.nextTicket++);
    this.tickets.add(ticket);
    return ticket;
  }

  /** The HTTP server's 'upgrade' handler: accepts /link?ticket=N once per ticket. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== '/link' || ticket === null || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  connectionIds(): number[] {
    return [...this.connections.keys()];
  }

  lastConnectionFor(eventId: string): number | undefined {
    return this.lastConnectionByEvent.get(eventId);
  }

  /** Sends one events_api envelope and resolves when it is acked (rejects after the ack timeout). */
  deliver(payload: object, options: DeliverOptions = {}): Promise<Delivery> {
    const envelope = {
      envelope_id: randomUUID(),
      payload,
      type: options.envelopeType ?? 'events_api',
      accepts_response_payload: false,
      retry_attempt: options.retryAttempt ?? 0,
      retry_reason: options.retryReason ?? '',
    };
    return new Promise((resolve, reject) => {
      const outgoing: Outgoing = { envelope, resolve, reject };
      const pinned = options.connection !== undefined || options.avoidConnection !== undefined;
      const connection = this.pick(options);
      if (connection) this.send(connection, outgoing);
      else if (pinned) reject(new Error(`fake-slack: no open connection matches ${JSON.stringify(options)}`));
      else this.queue.push(outgoing);
    });
  }

  /** Sends anything, unrecorded and unacked (for malformed-envelope tests). */
  sendRaw(message: string | object, connection?: number): void {
    const target = this.pick({ connection });
    if (!target) throw new Error('fake-slack: no open connection for sendRaw');
    target.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Asks every client to reconnect, as Slack does before recycling a server, then closes the sockets. */
  async disconnectAll(reason: string): Promise<void> {
    const sockets = [...this.connections.values()].map(({ socket }) => socket);
    this.connections.clear();
    await Promise.all(
      sockets.map((socket) => {
        socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }));
        return closeGracefully(socket, 1000, reason);
      }),
    );
  }

  /** Kills every socket without a close frame, like a network failure. */
  dropAll(): void {
    for (const { socket } of this.connections.values()) socket.terminate();
    this.connections.clear();
  }

  clearRecords(): void {
    this.ackLatencies.length = 0;
    this.envelopes.length = 0;
  }

  /**
   * Rejects whatever is still queued or unacked, then closes every socket with a close frame. Graceful on purpose:
   * Bolt's app.stop() resolves before its close handshake completes, and a socket killed in that window makes
   * @slack/socket-mode leak a 30-second timer (its disconnect() runs twice and loses the first timer).
   */
  async close(): Promise<void> {
    const closed = new Error('fake-slack closed');
    for (const waiting of this.awaiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(closed);
    }
    this.awaiting.clear();
    for (const outgoing of this.queue.splice(0)) outgoing.reject(closed);
    this.connections.clear();
    await Promise.all([...this.server.clients].map((socket) => closeGracefully(socket, 1001, 'server closing')));
    this.server.close();
  }

  private accept(socket: WebSocket): void {
    const connection = { id: this.nextConnectionId++, socket };
    this.connections.set(connection.id, connection);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.connections.delete(connection.id));
    // A client process that dies mid-frame surfaces here; that is a test scenario, not a fake failure.
    socket.on('error', () => this.connections.delete(connection.id));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.size,
        debug_info: { host: 'fake', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const outgoing of this.queue.splice(0)) this.send(connection, outgoing);
  }

  private pick({ connection, avoidConnection }: DeliverOptions): Connection | undefined {
    const open = [...this.connections.values()].filter((candidate) => candidate.socket.readyState === WebSocket.OPEN);
    if (connection !== undefined) return open.find((candidate) => candidate.id === connection);
    const eligible = open.filter((candidate) => candidate.id !== avoidConnection);
    if (eligible.length === 0) return undefined;
    const chosen = eligible[this.roundRobin % eligible.length];
    this.roundRobin += 1;
    return chosen;
  }

  private send(connection: Connection, outgoing: Outgoing): void {
    const { envelope } = outgoing;
    const payload = envelope.payload as { event_id?: unknown; event?: { type?: unknown } } | undefined;
    const eventId = typeof payload?.event_id === 'string' ? payload.event_id : undefined;
    const eventType = typeof payload?.event?.type === 'string' ? payload.event.type : undefined;
    const record: EnvelopeRecord = {
      envelopeId: envelope.envelope_id,
      ...(eventId ? { eventId } : {}),
      ...(eventType ? { eventType } : {}),
      retryAttempt: Number(envelope.retry_attempt),
      connection: connection.id,
      sentAt: performance.now(),
    };
    this.envelopes.push(record);
    if (eventId) this.lastConnectionByEvent.set(eventId, connection.id);
    const timer = setTimeout(() => {
      this.awaiting.delete(record.envelopeId);
      outgoing.reject(
        new Error(
          `fake-slack: envelope for ${eventType ?? 'event'} ${eventId ?? ''} not acked in ${this.ackTimeoutMs} ms`,
        ),
      );
    }, this.ackTimeoutMs);
    this.awaiting.set(record.envelopeId, { ...outgoing, record, timer });
    connection.socket.send(JSON.stringify(envelope));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    const waiting = typeof message.envelope_id === 'string' ? this.awaiting.get(message.envelope_id) : undefined;
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.awaiting.delete(waiting.record.envelopeId);
    const ackMs = performance.now() - waiting.record.sentAt;
    waiting.record.ackMs = ackMs;
    waiting.record.ackPayload = message.payload;
    this.ackLatencies.push(ackMs);
    waiting.resolve({ ackMs, envelopeId: waiting.record.envelopeId, connection: waiting.record.connection });
  }
}

/** Sends a close frame (unless one is on its way) and waits for the close; terminates after a second. */
function closeGracefully(socket: WebSocket, code: number, reason: string): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => socket.terminate(), 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
  });
}
