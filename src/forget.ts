import 'dotenv/config';
import { parseArgs } from 'node:util';
import { DEFAULT_STORE_URL } from './config/store-section';
import { createStore } from './store/create-store';
import { redactStoreUrl } from './store/store-url';

const USAGE = `Deletes stored thread history from the store named by STORE_URL (environment or .env).

usage: npm run forget -- --user U0123ABCD                         every thread the user took part in
       npm run forget -- --thread T0123ABCD:C0456EFGH:1700000000.000100   one thread (team:channel:thread_ts)`;

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const THREAD_KEY = /^[A-Z0-9]+:[A-Z0-9]+:\d+\.\d+$/;

type Target = { user: string } | { thread: string };

/** The one thing to delete, or the problem with the arguments. */
function readTarget(args: string[]): Target | string {
  let values: { user?: string; thread?: string };
  try {
    ({ values } = parseArgs({ args, options: { user: { type: 'string' }, thread: { type: 'string' } } }));
  } catch (err) {
    return (err as Error).message;
  }
  if ((values.user === undefined) === (values.thread === undefined)) return 'give either --user or --thread';
  if (values.user !== undefined) {
    return USER_ID.test(values.user) ? { user: values.user } : `'${values.user}' is not a user id (like U0123ABCD)`;
  }
  const thread = values.thread ?? '';
  return THREAD_KEY.test(thread) ? { thread } : `'${thread}' is not a thread key (team:channel:thread_ts)`;
}

async function main(): Promise<number> {
  const target = readTarget(process.argv.slice(2));
  if (typeof target === 'string') {
    process.stderr.write(`forget: ${target}\n\n${USAGE}\n`);
    return 2;
  }
  const url = process.env.STORE_URL?.trim() || DEFAULT_STORE_URL;
  const store = await createStore(url);
  try {
    let deleted: number;
    if ('user' in target) {
      deleted = await store.deleteUser(target.user);
      // Their 👍/👎 on answers too; question records and thread decisions name no one.
      await store.desk.forgetUser(target.user);
    } else {
      // deleteThread does not say whether there was anything to delete: look first.
      deleted = (await store.has(target.thread)) ? 1 : 0;
      await store.deleteThread(target.thread);
    }
    const what = 'user' in target ? `of user ${target.user}` : target.thread;
    process.stdout.write(
      `Deleted ${deleted} thread${deleted === 1 ? '' : 's'} (${what}) from ${redactStoreUrl(url)}.\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`forget: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
