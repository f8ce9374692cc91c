/** A context's support-desk settings: its front matter keys (`escalation`, `handoff_phrases`, `step_back`). */
import { z } from 'zod';

/** Where people are reached when someone asks for a person. */
export interface Escalation {
  /** The channel the handoff is posted in; without one, `help` is said instead. */
  channel?: string;
  /** Who is mentioned in the handoff: a user group, a user or `<!here>`. */
  mention?: string;
  /** Name of the environment variable holding a URL that receives the handoff as JSON. */
  webhookEnv?: string;
  /** Where to get help, said when there is no escalation channel. */
  help?: string;
}

/** What the desk does in a context's threads. */
export interface DeskSettings {
  escalation?: Escalation;
  /** Extra phrases (any language) that ask for a person, besides the English defaults. */
  handoffPhrases: string[];
  /** Whether the bot steps back in a channel thread once another person helps (default true). */
  stepBack: boolean;
}

/** The settings of a context that says nothing about the desk. */
export const DEFAULT_DESK: DeskSettings = { handoffPhrases: [], stepBack: true };

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const MENTION = /^<(!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+|!here|!channel)(\|[^>]*)?>$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** The front matter keys, merged into the context schema. */
export const deskFrontMatter = {
  escalation: z
    .strictObject(
      {
        channel: z
          .string({ error: 'expected a channel id like C0123ABCD' })
          .regex(CHANNEL_ID, 'escalation channel must be a channel id like C0123ABCD')
          .optional(),
        mention: z
          .string({ error: 'expected a mention' })
          .regex(MENTION, 'mention must look like <!subteam^S0123ABCD>, <@U0123ABCD> or <!here>')
          .optional(),
        webhook_env: z
          .string({ error: 'expected an environment variable name' })
          .regex(ENV_NAME, 'webhook_env must be an environment variable name like DESK_WEBHOOK_URL')
          .optional(),
        help: z.string({ error: 'expected a sentence' }).trim().min(1, 'help must not be empty').optional(),
      },
      { error: 'expected escalation: { channel, mention, webhook_env, help }' },
    )
    .optional(),
  handoff_phrases: z
    .array(z.string({ error: 'expected a phrase' }).trim().min(2, 'a handoff phrase must not be empty'), {
      error: 'expected a list of phrases, e.g. ["je veux parler à quelqu\'un"]',
    })
    .default([]),
  step_back: z.boolean({ error: 'expected true or false' }).default(true),
};

type DeskFrontMatter = z.output<z.ZodObject<typeof deskFrontMatter>>;

/** The context's desk settings from its parsed front matter. */
export function deskSettingsOf(fm: DeskFrontMatter): DeskSettings {
  const e = fm.escalation;
  return {
    ...(e
      ? {
          escalation: {
            ...(e.channel ? { channel: e.channel } : {}),
            ...(e.mention ? { mention: e.mention } : {}),
            ...(e.webhook_env ? { webhookEnv: e.webhook_env } : {}),
            ...(e.help ? { help: e.help } : {}),
          },
        }
      : {}),
    handoffPhrases: fm.handoff_phrases,
    stepBack: fm.step_back,
  };
}
