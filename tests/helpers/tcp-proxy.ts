import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy a test can cut (as if the server went away) and restore on the same port. */
export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => this.#sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as { port: number }).port;
  }

  /** Refuses new connections and drops every open one; does nothing if already stopped. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server?.listening ? once(server, 'close') : Promise.resolve();
    server?.close();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
