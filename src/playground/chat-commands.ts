/** The playground's slash commands: what each prints about the session, or what it changes. */
import type { ChatSession } from './chat-session';

export const HELP = `Commands:
  /reset          forget the conversation
  /context [NAME] list the contexts, or switch to one (starts a new conversation)
  /history        show the conversation so far
  /tokens         what the last request held, and the tokens the model reported
  /sources        the knowledge documents the last answer drew on
  /file PATH      attach a text file or a PDF's text to your next question, as if attached in Slack
  /quit           leave (Ctrl-C during an answer stops the answer)
`;

const PREVIEW_CHARS = 300;

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat;
}

function contextList(session: ChatSession, names: string[]): string {
  const lines = names.map((name) => `${name === session.context.name ? '* ' : '  '}${name}`);
  return `Contexts (* = current):\n${lines.join('\n')}\n`;
}

function history(session: ChatSession): string {
  const turns = session.history();
  if (turns.length === 0) return 'No conversation yet.\n';
  return `${turns.map((turn) => `${turn.role === 'user' ? 'you' : 'bot'}: ${preview(turn.text)}`).join('\n')}\n`;
}

function tokens(session: ChatSession): string {
  const stats = session.lastRequest();
  if (!stats) return 'No question asked yet.\n';
  const row = (label: string, value: number, note = '') => `  ${label.padEnd(13)}${String(value).padStart(7)}${note}`;
  const usage = stats.usage;
  const reported = usage
    ? `Reported by the model: input ${usage.inputTokens} (cached ${usage.cachedTokens ?? 0}), output ${usage.outputTokens}`
    : 'The model server reported no usage.';
  return [
    'Last request (counted here with the o200k tokenizer):',
    row('instructions', stats.instructions),
    row('history', stats.history, ` (${stats.historyTurns} turns)`),
    row('passages', stats.passages),
    row('question', stats.question),
    reported,
    '',
  ].join('\n');
}

function sources(session: ChatSession): string {
  if (!session.hasKnowledge()) return 'No sources: this context has no knowledge folder.\n';
  const found = session.lastSources();
  if (found.length === 0) return 'No passages were retrieved for the last question.\n';
  const lines = found.map((s) => `  - ${s.title}${s.heading ? ` › ${s.heading}` : ''} (${s.docId})`);
  return `Sources of the last answer:\n${lines.join('\n')}\n`;
}

/** Runs one command line; returns what to print, or `quit`. */
export async function runCommand(
  session: ChatSession,
  line: string,
  contextNames: () => string[],
): Promise<string | 'quit'> {
  const [command, ...rest] = line.trim().split(/\s+/);
  const argument = line.trim().slice(command.length).trim();
  switch (command.toLowerCase()) {
    case '/quit':
    case '/exit':
      return 'quit';
    case '/help':
      return HELP;
    case '/reset':
      session.reset();
      return 'Conversation forgotten.\n';
    case '/context':
      if (rest.length === 0) return contextList(session, contextNames());
      try {
        return `Now using context '${session.useContext(argument).name}'; new conversation.\n`;
      } catch (err) {
        return `${(err as Error).message}\n`;
      }
    case '/history':
      return history(session);
    case '/tokens':
      return tokens(session);
    case '/sources':
      return sources(session);
    case '/file':
      if (!argument) return 'Usage: /file PATH\n';
      try {
        const file = await session.attach(argument);
        return `Attached ${file.name} (${file.text.length} characters): it goes with your next question.\n`;
      } catch (err) {
        return `${(err as Error).message}\n`;
      }
    default:
      return `Unknown command ${command}. /help lists them.\n`;
  }
}
