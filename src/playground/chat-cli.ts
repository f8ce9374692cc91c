/** `npm run chat`: the terminal side of the playground, reading questions and commands and printing answers. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { LlmError } from '../errors';
import { redactSecrets } from '../secrets';
import { runCommand } from './chat-commands';
import { ChatSession, type ChatSessionDeps } from './chat-session';
import { resolveContext } from './context-by-name';
import { describeStartupError, openPlayground } from './setup';
import { answerPrinter, type TerminalOut } from './terminal-markdown';

/** Where the chat reads and writes; `process.stdin` / `process.stdout` in real use. */
export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: TerminalOut & NodeJS.WritableStream & { isTTY?: boolean };
  errors: { write(text: string): unknown };
}

/** A running chat: `interrupt` is Ctrl-C (stops the answer, or leaves when idle). */
export interface ChatRun {
  exitCode: Promise<number>;
  interrupt(): void;
}

const USAGE = 'usage: npm run chat -- [--context NAME]\n';

function describeFailure(err: unknown): string {
  if (err instanceof LlmError) {
    const status = err.status !== undefined ? ` ${err.status}` : '';
    return `The model call failed (${err.kind}${status}): ${redactSecrets(err.message)}`;
  }
  return `The answer failed: ${redactSecrets(err instanceof Error ? err.message : String(err))}`;
}

/** Reads lines until /quit or the end of input, answering each question with `session`. */
export function startChat(session: ChatSession, io: ChatIo, contextNames: () => string[], styled: boolean): ChatRun {
  const tty = io.output.isTTY === true;
  const rl = createInterface({ input: io.input, output: tty ? io.output : undefined, terminal: tty });
  rl.setPrompt('you › ');
  let answering: AbortController | undefined;
  const prompt = () => {
    if (tty) rl.prompt();
  };
  const interrupt = () => {
    if (answering) answering.abort();
    else rl.close();
  };
  rl.on('SIGINT', interrupt);

  async function answer(question: string): Promise<void> {
    if (session.followEdits()) io.output.write(`(context '${session.context.name}' reloaded: its file changed)\n`);
    answering = new AbortController();
    const printer = answerPrinter(io.output, styled);
    try {
      const result = await session.ask(question, { signal: answering.signal, onDelta: (d) => printer.write(d) });
      printer.end();
      if (result.stopped) io.output.write('\n[stopped: this question and its answer are not kept]\n');
      else if (result.truncated) io.output.write('\n[the answer was cut short: output token limit]\n');
      else io.output.write('\n');
    } catch (err) {
      printer.end();
      io.output.write(`\n${describeFailure(err)}\n`);
    } finally {
      answering = undefined;
    }
  }

  const exitCode = (async () => {
    io.output.write(`Context '${session.context.name}'. Type a question, or /help for commands.\n`);
    prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (text.startsWith('/')) {
        const out = await runCommand(session, text, contextNames);
        if (out === 'quit') break;
        io.output.write(out);
      } else if (text) {
        await answer(text);
      }
      prompt();
    }
    rl.close();
    return 0;
  })();
  return { exitCode, interrupt };
}

/** Parses the arguments, builds the engine from `env` (no Slack tokens needed) and runs the chat. */
export function runChat(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  io: ChatIo,
  extra: Partial<ChatSessionDeps> = {},
): ChatRun {
  let interrupt: () => void = () => undefined;
  const exitCode = (async () => {
    let name: string | undefined;
    try {
      name = parseArgs({ args, options: { context: { type: 'string' } } }).values.context;
    } catch (err) {
      io.errors.write(`chat: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    let playground: Awaited<ReturnType<typeof openPlayground>>;
    try {
      playground = await openPlayground(env, cwd, io.errors);
    } catch (err) {
      io.errors.write(describeStartupError('chat', err));
      return 2;
    }
    try {
      const { contexts, llm, config } = playground;
      const session = new ChatSession(
        { llm, contexts, tokenBudget: config.history.tokenBudget, ...extra },
        resolveContext(contexts, name),
      );
      const styled = io.output.isTTY === true && !env.NO_COLOR;
      const run = startChat(session, io, () => contexts.all().map((c) => c.name), styled);
      interrupt = run.interrupt;
      return await run.exitCode;
    } catch (err) {
      io.errors.write(describeStartupError('chat', err));
      return 2;
    } finally {
      await playground.close();
    }
  })();
  return { exitCode, interrupt: () => interrupt() };
}
