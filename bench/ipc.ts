import { type ChildProcess, fork } from 'node:child_process';

type Handler = (arg: never) => unknown;
type Handlers = Record<string, Handler>;

interface Request {
  id: number;
  method: string;
  arg: unknown;
}
type Reply = { id: number; result: unknown } | { id: number; error: string };

/** Child side: answers the parent's calls with `handlers`, one method per name; exits when the parent goes. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no bench method ${message.method}`);
        return handler(message.arg as never);
      })
      .then(
        (result) => process.send?.({ id: message.id, result: result ?? null } satisfies Reply),
        (error: unknown) =>
          process.send?.({ id: message.id, error: error instanceof Error ? error.stack : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** The methods a child serves, as the parent calls them. */
export type Remote<T extends Handlers> = {
  [K in keyof T]: Parameters<T[K]> extends []
    ? () => Promise<Awaited<ReturnType<T[K]>>>
    : (arg: Parameters<T[K]>[0]) => Promise<Awaited<ReturnType<T[K]>>>;
};

/** A forked bench process and a typed proxy for the methods it serves. */
export interface Child<T extends Handlers> {
  process: ChildProcess;
  call: Remote<T>;
  /** Resolves when the child sends `{ ready: true }`; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
}

/** Child side: tells the parent that setup is done. */
export function ready(): void {
  process.send?.({ ready: true });
}

/** Forks `entry` with an IPC channel; stdout lines go to `onLine` (the bot's JSON log lines). */
export function start<T extends Handlers>(
  entry: string,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; onLine?: (line: string) => void } = {},
): Child<T> {
  const child = fork(entry, [], {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onLine?.(line);
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 1;
  let isReady: () => void = () => {};
  const readySignal = new Promise<void>((resolve) => {
    isReady = resolve;
  });
  child.on('message', (reply: Reply | { ready: true }) => {
    if ('ready' in reply) {
      isReady();
      return;
    }
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (!waiter) return;
    if ('error' in reply) waiter.reject(new Error(`${entry}: ${reply.error}`));
    else waiter.resolve(reply.result);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      for (const waiter of waiting.values()) waiter.reject(new Error(`${entry} exited (${code})`));
      waiting.clear();
      resolve(code);
    });
  });
  const ready = Promise.race([
    readySignal,
    exited.then((code) => {
      throw new Error(`${entry} exited (${code}) before it was ready`);
    }),
  ]);
  const call = new Proxy({} as Remote<T>, {
    // Not a thenable: `then` stays undefined so the proxy can be returned from async functions.
    get: (_target, method: string) =>
      method === 'then'
        ? undefined
        : (arg: unknown) =>
            new Promise((resolve, reject) => {
              const id = next++;
              waiting.set(id, { resolve, reject });
              child.send({ id, method, arg } satisfies Request);
            }),
  });
  return { process: child, call, ready, exited };
}
