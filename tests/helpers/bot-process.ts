import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { scratchDir } from './scratch-dir';

const ENTRY = path.join(__dirname, '..', '..', 'dist', 'index.js');

/** The compiled bot running as its own process, as `npm start` runs it (dist/ is built by jest's globalSetup). */
export interface BotProcess {
  child: ChildProcess;
  /** Parsed JSON log lines written so far. */
  logs: Array<Record<string, unknown>>;
  /** Everything written to stderr (startup errors). */
  stderr(): string;
  /** Resolves with the first log line matching, or rejects after `timeoutMs`. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (default SIGTERM). */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts the bot with exactly `env` (plus PATH), in an empty working directory so no developer `.env` leaks in.
 * Pass absolute paths for CONTEXTS_DIR and sqlite files.
 */
export function startBotProcess(env: Record<string, string>): BotProcess {
  const cwd = scratchDir('bot-proc');
  const child = spawn(process.execPath, [ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let pending = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ message: line, unparsed: true });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const waitForLog = (match: (entry: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found) {
          cleanup();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          reject(new Error(`bot exited before the log line appeared; stderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`log line not seen within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
  };
}
