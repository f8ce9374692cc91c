/** Entry point of `npm run eval`: runs the contexts' eval cases against the model and reports. */
import 'dotenv/config';
import { runEval } from './playground/eval-cli';

runEval(process.argv.slice(2), process.env, process.cwd(), { output: process.stdout, errors: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
