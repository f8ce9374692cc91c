/** Entry point of `npm run chat`: the playground in this terminal. */
import 'dotenv/config';
import { runChat } from './playground/chat-cli';

const chat = runChat(process.argv.slice(2), process.env, process.cwd(), {
  input: process.stdin,
  output: process.stdout,
  errors: process.stderr,
});
// Ctrl-C when stdin is not a terminal (in a terminal, readline reports it): stop the answer, not the program.
process.on('SIGINT', () => chat.interrupt());
chat.exitCode.then(
  (code) => {
    process.exitCode = code;
    process.stdin.pause();
  },
  (err: unknown) => {
    process.stderr.write(`chat: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
