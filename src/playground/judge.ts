/** Rubric grading for evals: the model reads the answer against the rubric and returns a pass/fail verdict. */
import { z } from 'zod';
import { LlmError } from '../errors';
import type { Llm } from '../llm/llm';

/** A judge's decision with its one-line reason. */
export interface Verdict {
  pass: boolean;
  reason: string;
}

const NO_VERDICT: Verdict = { pass: false, reason: 'judge gave no verdict' };

const verdictSchema = z.object({ pass: z.boolean(), reason: z.string() });

/** The JSON schema the model is asked to follow (structured output), matching `verdictSchema`. */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  properties: {
    pass: { type: 'boolean', description: 'true when the answer meets the rubric' },
    reason: { type: 'string', description: 'one sentence saying why' },
  },
  required: ['pass', 'reason'],
  additionalProperties: false,
};

const INSTRUCTIONS = `You grade answers written by an organisation's support assistant.
You are given a rubric, the question the person asked and the assistant's answer.
Decide whether the answer meets every point of the rubric. Judge only against the rubric, not your own taste.
Reply with JSON only: {"pass": true or false, "reason": "one short sentence"}.`;

/** Reads a verdict from the judge's reply: JSON, possibly fenced or wrapped in prose; undefined when there is none. */
export function parseVerdict(reply: string): Verdict | undefined {
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(reply.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = verdictSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const reason = parsed.data.reason.replace(/\s+/g, ' ').trim();
  return { pass: parsed.data.pass, reason: reason || (parsed.data.pass ? 'meets the rubric' : 'no reason given') };
}

/** What the judge sees. */
export interface JudgeInput {
  rubric: string;
  question: string;
  answer: string;
}

/** Asks `llm` for a verdict; a failed call or an unreadable reply is a failing verdict, never an exception. */
export async function judgeAnswer(llm: Llm, input: JudgeInput, signal: AbortSignal): Promise<Verdict> {
  const content = `# Rubric\n${input.rubric}\n\n# Question\n${input.question}\n\n# Answer\n${input.answer}`;
  let reply = '';
  try {
    const events = llm.stream(
      {
        instructions: INSTRUCTIONS,
        messages: [{ role: 'user', content }],
        jsonSchema: { name: 'verdict', schema: VERDICT_JSON_SCHEMA },
      },
      { signal },
    );
    for await (const event of events) if (event.type === 'delta') reply += event.text;
  } catch (err) {
    return { pass: false, reason: `judge failed (${err instanceof LlmError ? err.kind : 'error'})` };
  }
  return parseVerdict(reply) ?? NO_VERDICT;
}
