/** Shared set-up for playground tests: a contexts folder and the environment pointing at the fake OpenAI. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { scratchDir } from '../helpers/scratch-dir';

/** A contexts folder with a default IT context and an HR context claiming a channel. */
export function contextsFolder(): string {
  const dir = scratchDir('playground-contexts');
  writeFileSync(
    path.join(dir, 'default.md'),
    '---\nname: IT support\n---\nLaptops are MacBooks. Reset passwords at https://id.example.com.\n',
  );
  writeFileSync(
    path.join(dir, 'hr.md'),
    '---\nname: People team\nchannels: [C0HR00001]\n---\nAnnual leave is 25 days, booked under Time off.\n',
  );
  return dir;
}

/** Only what the playground needs: a key, the fake's URL, the contexts. No Slack token at all. */
export function playgroundEnv(baseURL: string, contextsDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: baseURL,
    OPENAI_MAX_RETRIES: '0',
    CONTEXTS_DIR: contextsDir,
    ...extra,
  };
}

/** A writable that keeps every write, in order, as written. */
export function capture(): PassThrough & { writes: string[]; text(): string } {
  const stream = new PassThrough() as PassThrough & { writes: string[]; text(): string };
  stream.writes = [];
  stream.on('data', (chunk: Buffer) => stream.writes.push(chunk.toString('utf8')));
  stream.text = () => stream.writes.join('');
  return stream;
}
