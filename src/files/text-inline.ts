/** Text attachments for the prompt: decoded, cut to a token budget (start and end kept), fenced with their name. */
import type * as GptTokenizer from 'gpt-tokenizer';
import { countTokens } from '../conversation/tokens';

const PLAIN = { disallowedSpecial: new Set<string>() };
/** Share of a cut file's budget given to its start; the rest goes to its end, where logs put the error. */
const HEAD_SHARE = 0.4;

let tokenizer: typeof GptTokenizer | undefined;
const encoding = () => {
  tokenizer ??= require('gpt-tokenizer') as typeof GptTokenizer;
  return tokenizer;
};

/** Bytes as text: UTF-8 unless a UTF-16 byte-order mark says otherwise; a UTF-8 BOM is dropped. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes).replace(/\r\n/g, '\n');
}

/**
 * The text if it fits `budget` tokens; otherwise its start and its end with a marker between them, together within
 * the budget. Counting is bounded: a 20 MB log is not tokenized whole.
 */
export function fitToTokenBudget(text: string, budget: number): { text: string; truncated: boolean } {
  const limit = Math.max(0, Math.floor(budget));
  // Every token covers at least one UTF-8 byte, so a short text fits without counting.
  if (Buffer.byteLength(text, 'utf8') <= limit) return { text, truncated: false };
  // No realistic text packs more than ~16 characters in a token: past that, it certainly does not fit.
  if (text.length <= limit * 16 && countTokens(text) <= limit) return { text, truncated: false };
  const marker = '\n[… the middle of the file was cut to fit …]\n';
  const room = Math.max(0, limit - countTokens(marker));
  const headTokens = Math.floor(room * HEAD_SHARE);
  const tailTokens = room - headTokens;
  const window = (room + 1) * 16;
  const { encode, decode } = encoding();
  const head = decode(encode(text.slice(0, window), PLAIN).slice(0, headTokens));
  const tailIds = encode(text.slice(-window), PLAIN);
  const tail = tailTokens > 0 ? decode(tailIds.slice(-tailTokens)) : '';
  return { text: `${head}${marker}${tail}`, truncated: true };
}

/** A fence longer than any run of backticks in the text, so the file cannot close its own block. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}
