/** Entry point of `npm run eval`: runs the contexts' eval cases against the model and reports. */
import 'dotenv/config';
import { playgroundKnowledge } from './knowledge/playground-knowledge';
import { runEval } from './playground/eval-cli';

const knowledge = playgroundKnowledge(process.env, process.cwd(), process.stderr);
const io = { output: process.stdout, errors: process.stderr };
runEval(process.argv.slice(2), process.env, process.cwd(), io, { retrieveFor: knowledge.retrieveFor })
  .finally(() => knowledge.close())
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
