/** Entry point of `npm run chat`: the playground in this terminal. */
import 'dotenv/config';
import { playgroundKnowledge } from './knowledge/playground-knowledge';
import { runChat } from './playground/chat-cli';

const knowledge = playgroundKnowledge(process.env, process.cwd(), process.stderr);
const chat = runChat(
  process.argv.slice(2),
  process.env,
  process.cwd(),
  { input: process.stdin, output: process.stdout, errors: process.stderr },
  { retrieveFor: knowledge.retrieveFor },
);
// Ctrl-C when stdin is not a terminal (in a terminal, readline reports it): stop the answer, not the program.
process.on('SIGINT', () => chat.interrupt());
chat.exitCode
  .finally(() => knowledge.close())
  .then(
    (code) => {
      process.exitCode = code;
      process.stdin.pause();
    },
    (err: unknown) => {
      process.stderr.write(`chat: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
