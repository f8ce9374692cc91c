/** Every sentence the bot itself posts to people (not the model's answers), in one place; tests import these. */
import type { Verdict } from '../conversation/should-answer';
import { IMAGES_UNREADABLE_NOTE } from '../files/describe';

/** The apology for an answer that failed; the reference id is appended as ` (ref \`abcd1234\`).` */
export const SORRY = "Sorry, I couldn't answer that just now. Please try again in a minute";
/** The note after an answer cut short (stalled model, timeout, shutdown); the reference id follows. */
export const CUT_SHORT = '…my answer was cut short';
/** What a stored answer cut short ends with, so the next request's history says so. */
export const CUT_SHORT_MARK = '[answer cut short]';
/** Said to a guest who DMs the bot when DM_MEMBERS_ONLY is on. */
export const MEMBERS_ONLY =
  'Sorry, I can only help full members of this workspace. Please ask your contact here for help.';
/** What someone who asked the bot directly is told when it will not answer them, by the reason. */
export const REFUSALS: Partial<Record<Verdict['why'], string>> = {
  'no-context': "Sorry, I don't answer questions here. Please ask in one of the support channels.",
  'not-allowed': "Sorry, I can't help you with this here. Please ask the team that runs this channel.",
  'external-user': 'Sorry, I can only help people in this organisation. Please ask your contact here for help.',
};
/** The reply to a bare mention with nothing to read. */
export const GREETING = 'Hi! What can I help you with? Ask me here in this thread.';
/** Said under a question found after an outage, too old to answer late. */
export const TOO_LATE =
  "Sorry, I was offline when you asked this and it's been too long for me to answer it now. Please ask again if you still need help.";
/** Said once when someone has too many questions open with the bot, or asks too many in a minute. */
export const TOO_MANY =
  "You've asked me several questions at once. I'm answering the first ones now; please ask this again in a minute.";
/** The status line shown while the answer is being prepared. */
export const WORKING = 'is looking into it…';
/** Added to an answer that reached the model's length limit. */
export const TRUNCATED = '\n\n_…(answer truncated: it reached the length limit)_';

/** The apology or cut-short note with its reference id, as posted. */
export function withRef(sentence: string, ref: string): string {
  return `${sentence} (ref \`${ref}\`).`;
}

/** The knowledge search as a task shown at the top of a streamed answer (Slack's task_update chunk). */
export function searchedGuidesTask(contextName: string): string {
  return `Searched the ${contextName} guides`;
}
/** What the search found, under the task. */
export function foundSections(count: number): string {
  if (count === 0) return 'Nothing relevant found';
  return count === 1 ? '1 relevant section' : `${count} relevant sections`;
}
/** Added once to an answer made without the images it was asked with (vision off, or a text-only model). */
export const IMAGES_NOT_SEEN = `\n\n${IMAGES_UNREADABLE_NOTE}`;
/** Who used up a daily allowance, as said to the asker. */
const OVER_BUDGET_WHO = {
  user: "You've used up today's allowance for questions to me",
  context: "Questions here have used up today's allowance",
  workspace: "This workspace has used up today's allowance for questions to me",
} as const;

/** Said instead of an answer when a daily token budget is used up; names when it resets (UTC, and how soon). */
export function overBudget(scope: keyof typeof OVER_BUDGET_WHO, resetsAt: number, now = Date.now()): string {
  const time = new Date(resetsAt).toISOString().slice(11, 16);
  const minutes = Math.max(1, Math.ceil((resetsAt - now) / 60_000));
  const soon =
    minutes < 90 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `about ${Math.round(minutes / 60)} hours`;
  return `${OVER_BUDGET_WHO[scope]}. It resets at ${time} UTC (in ${soon}): please ask again then.`;
}

// --- The support desk ---

/** The label of the button under answers that brings a person in. */
export const TALK_TO_PERSON = 'Talk to a person';
/** The label of the button under answers that closes the case. */
export const RESOLVED_LABEL = 'Resolved';
/** Said in the thread once a person was asked: `who` is the mention, or the escalation channel. */
export function handedOff(who: string): string {
  return `I've asked ${who} to help. They'll answer here in this thread.`;
}
/** The status line shown while a person is being asked to help (the reply in the thread clears it). */
export const HANDING_OFF = 'is asking a person to help…';
/** Said when someone asks again in a thread already handed to a person. */
export const ALREADY_HANDED_OFF = 'A person has already been asked to help in this thread. They will answer here.';
/** Said when a context names no escalation channel and no `help` text of its own. */
export const NO_ESCALATION =
  "I can't bring a person into this conversation. Please contact your help desk through its usual channels.";
/** Offered to someone who marked an answer as not helpful, with the Talk-to-a-person button. */
export const OFFER_PERSON = 'Sorry that did not help. Would you like a person to take a look?';
/** The summary line when the model could not write one: the asker's own last messages follow, quoted. */
export const OWN_WORDS = 'Their last messages:';
/** The handoff posted in the escalation channel. */
export function handoffMessage(parts: {
  mention?: string;
  asker: string;
  context: string;
  link?: string;
  summary: string;
}): string {
  const lead = `${parts.mention ? `${parts.mention} ` : ''}<@${parts.asker}> asked for a person (${parts.context}).`;
  const link = parts.link ? `\n<${parts.link}|Open the thread>` : '';
  return `${lead}${link}\n${parts.summary}`;
}
/** What someone who is not a desk admin sees on the bot's Home tab. */
export const HOME_FOR_EVERYONE =
  "I answer questions in the support channels and in this app's Messages tab. Ask me anything; under each answer you can rate it, mark your case resolved, or ask for a person.";
