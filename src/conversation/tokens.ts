import type * as GptTokenizer from 'gpt-tokenizer';

// User text may contain strings like "<|endoftext|>": count them as plain text instead of throwing.
const PLAIN = { disallowedSpecial: new Set<string>() };

let encoding: typeof GptTokenizer | undefined;

/**
 * Token count of text with the o200k encoding (current OpenAI models); an estimate for other providers. The
 * encoding's tables take ~40 MB of memory, so they are loaded on first use: most threads only need tokenBound.
 */
export function countTokens(text: string): number {
  encoding ??= require('gpt-tokenizer') as typeof GptTokenizer;
  return encoding.countTokens(text, PLAIN);
}

/** At least countTokens(text), without the tokenizer: every o200k token covers one UTF-8 byte or more. */
export function tokenBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
