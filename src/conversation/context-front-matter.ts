import path from 'node:path';
import { z } from 'zod';
import { deskFrontMatter } from '../desk/desk-settings';

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A strict object whose unknown-key and wrong-type messages name the keys it accepts. */
function strictObject<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => `'${key}'`).join(', ');
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys} (allowed: ${allowed})`;
      }
      if (issue.code === 'invalid_type') return `expected ${what} with keys ${allowed}`;
      return undefined;
    },
  });
}

const idList = (pattern: RegExp, kind: string, example: string) =>
  z
    .array(
      z.string({ error: `expected a ${kind} id like ${example}` }).regex(pattern, {
        error: (issue) => `'${String(issue.input)}' is not a ${kind} id (like ${example})`,
      }),
      { error: `expected a list of ${kind} ids, e.g. [${example}]` },
    )
    .default([])
    .transform((ids) => [...new Set(ids)]);

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `${what} must not be empty`);

/** What a context file's YAML front matter may say, with messages an editor can act on. */
export const frontMatterSchema = strictObject(
  {
    name: text('a name').optional(),
    channels: idList(CHANNEL_ID, 'channel', 'C0123ABCD'),
    reply: z.enum(['mentions', 'all'], { error: "expected 'mentions' or 'all'" }).default('mentions'),
    suggested_prompts: z
      .array(strictObject({ title: text('a title'), message: text('a message') }, 'a prompt'), {
        error: 'expected a list of {title, message} prompts',
      })
      .max(4, 'at most 4 prompts (Slack shows no more)')
      .default([]),
    confidential: z.boolean({ error: 'expected true or false' }).default(false),
    allow_users: idList(USER_ID, 'user', 'U0123ABCD'),
    knowledge: text('a folder of documents, relative to the contexts directory')
      .refine((folder) => !path.isAbsolute(folder) && !folder.split(/[\\/]/).includes('..'), {
        error: 'the knowledge folder must be inside the contexts directory (a relative path without ..)',
      })
      .optional(),
    knowledge_only: z.boolean({ error: 'expected true or false' }).default(false),
    daily_tokens: z
      .number({ error: 'expected a whole number of model tokens a day' })
      .int('expected a whole number of model tokens a day')
      .positive('expected a whole number of model tokens a day')
      .optional(),
    ...deskFrontMatter,
  },
  'front matter',
)
  .refine((fm) => fm.reply !== 'all' || fm.channels.length > 0, {
    path: ['reply'],
    message: "'all' needs channels: list the channels where every message should be answered",
  })
  .refine((fm) => !fm.knowledge_only || fm.knowledge !== undefined, {
    path: ['knowledge_only'],
    message: 'knowledge_only needs knowledge: name the folder of documents to answer from',
  });
