/** How text becomes search terms: lower case, no filler words, light English stemming. */

/** Words that match nearly every guide and so carry no signal ("how do I…"). */
const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but by
  can cannot could did do does doing done down during each else etc even ever every few for from further get gets
  getting got had has have having he her here hers him his how i if in into is it its itself just let lets me might
  more most much must my myself need needs no nor not now of off on once one only or other our ours out over own
  please really same she should so some still such than thank thanks that the their theirs them then there these
  they this those through to too try trying under until up us use using very want was way we were what whats when
  where which while who whom why will with would yes yet you your yours hi hello hey ok okay im ive cant dont doesnt
  isnt wont didnt`.split(/\s+/),
);

/** Suffixes removed (longest first) so "printing", "printers" and "printed" meet at "print". */
const SUFFIXES = ['ations', 'ation', 'ings', 'ing', 'ies', 'ers', 'ed', 'er', 'es', 's'];

/** A light stemmer: enough to join plurals and verb forms; keeps at least a 3-letter stem. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix) || word.length - suffix.length < 3) continue;
    if (suffix === 's' && /(ss|us|is)$/.test(word)) return word;
    if (suffix === 'es' && !/(s|x|z|ch|sh)es$/.test(word)) continue;
    const base = word.slice(0, -suffix.length);
    if (suffix === 'ies') return `${base}y`;
    // "stopped" → "stop", "setting" → "set": undo the doubled consonant.
    return dropFinalE(/([^aeiouls])\1$/.test(base) ? base.slice(0, -1) : base);
  }
  return dropFinalE(word);
}

/** "update", "updated" and "updating" all end as "updat". */
function dropFinalE(word: string): string {
  return word.length > 4 && word.endsWith('e') ? word.slice(0, -1) : word;
}

/** Words repeat: remembering their terms makes indexing several times faster. Bounded, so memory is too. */
const MEMO_LIMIT = 200_000;
const memo = new Map<string, string | null>();

/** MiniSearch's processTerm: the term to index or search, or null to drop it. */
export function processTerm(term: string): string | null {
  let processed = memo.get(term);
  if (processed !== undefined) return processed;
  processed = computeTerm(term);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(term, processed);
  return processed;
}

function computeTerm(term: string): string | null {
  const word = term.toLowerCase().replace(/['’]/g, '');
  if (word.length < 2 && !/\d/.test(word)) return null;
  if (STOPWORDS.has(word)) return null;
  return stem(word);
}

/** Splits on anything that is not a letter or digit (Unicode aware); apostrophes stay inside words. */
export function tokenize(text: string): string[] {
  return text.split(/[^\p{L}\p{N}'’]+/u).filter((part) => part.length > 0);
}

/** The distinct search terms of a text, in order of appearance. */
export function searchTerms(text: string): string[] {
  const out = new Set<string>();
  for (const token of tokenize(text)) {
    const term = processTerm(token);
    if (term) out.add(term);
  }
  return [...out];
}
