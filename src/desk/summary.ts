/** The handoff's summary: written by the model, or the asker's own last messages when the model fails. */
import { describe } from '../answering/describe-error';
import { OWN_WORDS } from '../answering/wording';
import type { Turn } from '../conversation/turn';
import type { Llm } from '../llm/llm';
import type { Logger } from '../logger';

/** How long the model gets to write the summary: a person must be reached quickly, summary or not. */
export const SUMMARY_TIMEOUT_MS = 20_000;
/** The asker's messages quoted when the model fails, newest last. */
const QUOTED_MESSAGES = 3;
const QUOTE_CHARS = 500;
/** Summaries longer than this are cut (Slack's section text limit is 3,000). */
const SUMMARY_CHARS = 1_500;

const INSTRUCTIONS = `You hand a support conversation over to a colleague who will help the employee in person.
Summarise it in at most five short lines of plain text: the problem, what was already tried or suggested, and the
urgency if the employee stated one. No greeting, no advice, nothing that is not in the conversation.`;

/** The conversation so far plus the message that asked for a person, oldest first. */
export interface SummaryInput {
  turns: Turn[];
  asker: string;
  latest: string;
}

/** A short summary for the person taking over; the asker's own words (quoted) when the model is unavailable. */
export async function summarise(llm: Llm, input: SummaryInput, logger: Logger, timeoutMs = SUMMARY_TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  timer.unref();
  try {
    let text = '';
    const messages = [
      ...input.turns.map((turn) => ({ role: turn.role, content: turn.text })),
      { role: 'user' as const, content: input.latest },
    ];
    for await (const event of llm.stream({ instructions: INSTRUCTIONS, messages }, { signal: controller.signal })) {
      if (event.type === 'delta') text += event.text;
    }
    if (controller.signal.aborted || text.trim() === '') throw new Error('no summary in time');
    return text.trim().slice(0, SUMMARY_CHARS);
  } catch (err) {
    logger.warn('handoff summary failed: quoting the asker instead', { error: describe(err) });
    return ownWords(input);
  } finally {
    clearTimeout(timer);
  }
}

/** The asker's last few messages, each quoted. */
export function ownWords(input: SummaryInput): string {
  const theirs = input.turns.filter((turn) => turn.role === 'user' && turn.user === input.asker).map((t) => t.text);
  const latest = theirs.at(-1) === input.latest ? theirs : [...theirs, input.latest];
  const quoted = latest
    .slice(-QUOTED_MESSAGES)
    .map((text) => text.slice(0, QUOTE_CHARS).replace(/^/gm, '> '))
    .join('\n');
  return `${OWN_WORDS}\n${quoted}`;
}
