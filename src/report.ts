import 'dotenv/config';
import { runReport } from './desk/report-cli';

// `npm run report -- --since 7d [--context NAME] [--json]`: the support desk's figures (see src/desk/report-cli.ts).
runReport(
  process.argv.slice(2),
  process.env,
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`report: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
