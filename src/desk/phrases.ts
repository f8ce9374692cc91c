/** Recognises a request for a person without the model: a person must be reachable while the model is down. */

/** English ways of asking for a person; a context adds its own (other languages, house wording). */
export const DEFAULT_HANDOFF_PHRASES = [
  'i need a human',
  'i want a human',
  'talk to a human',
  'speak to a human',
  'speak with a human',
  'talk to a person',
  'speak to a person',
  'speak with a person',
  'talk to someone',
  'speak to someone',
  'a real person',
  'a human please',
  'human agent',
  'live agent',
  'escalate',
  'get me a human',
  'connect me with someone',
  'open a ticket with',
];

/** "can someone from IT help", "could somebody from the service desk help me". */
const SOMEONE_FROM = /\b(can|could|would) (someone|somebody|anyone|a person) (from|in|on) [\w\s-]{1,40}\bhelp\b/;

/** Lower case, mentions and punctuation out, spaces collapsed: what the phrases are matched against. */
function normalise(text: string): string {
  return text
    .replace(/<[@#!][^>]*>/g, ' ')
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[’‘]/g, "'")
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Phrases as matched: normalised, padded with spaces (whole words), empty ones left out. */
function matchable(phrases: readonly string[]): string[] {
  return phrases.map(normalise).flatMap((wanted) => (wanted === '' ? [] : [` ${wanted} `]));
}

// Every question is checked: the phrases are normalised once (a context's, once per list), not once per question.
const DEFAULT_MATCHABLE = matchable(DEFAULT_HANDOFF_PHRASES);
const extraMatchable = new WeakMap<readonly string[], string[]>();

function matchableExtra(extra: readonly string[]): string[] {
  let found = extraMatchable.get(extra);
  if (!found) {
    found = matchable(extra);
    extraMatchable.set(extra, found);
  }
  return found;
}

/** True when `text` asks for a person, by the default phrases or the context's `extra` ones (as whole words). */
export function asksForPerson(text: string, extra: readonly string[] = []): boolean {
  const said = ` ${normalise(text)} `;
  if (SOMEONE_FROM.test(said)) return true;
  const has = (wanted: string) => said.includes(wanted);
  return DEFAULT_MATCHABLE.some(has) || (extra.length > 0 && matchableExtra(extra).some(has));
}
