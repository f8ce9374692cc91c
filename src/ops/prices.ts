/** Model prices for the estimated-cost metric: a built-in table of estimates the operator can override. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { LlmUsage } from '../llm/llm';

/** US dollars per 1 million tokens. `cached` is the price of cached input tokens (a prompt-cache hit). */
export interface ModelPrice {
  input: number;
  cached: number;
  output: number;
}

/** Prices by model name. A model missing from the table costs 0 (its tokens are still counted). */
export type PriceTable = Record<string, ModelPrice>;

/**
 * ESTIMATES, USD per 1M tokens, standard tier, prompts under ~270K tokens, as published in 2026. Prices change and
 * differ by provider, region and tier (batch, flex, data residency): point MODEL_PRICES_FILE at yours.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5.5': { input: 5, cached: 0.5, output: 30 },
  'gpt-5.4': { input: 2.5, cached: 0.25, output: 15 },
  'gpt-5.4-mini': { input: 0.75, cached: 0.075, output: 4.5 },
  'gpt-5': { input: 1.25, cached: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cached: 0.025, output: 2 },
  'gpt-4.1-mini': { input: 0.4, cached: 0.1, output: 1.6 },
};

const price = z.object({
  input: z.number().nonnegative(),
  cached: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
});
const table = z.record(z.string().min(1), price);

/**
 * Parses a JSON price table (`{"model": {"input": 0.75, "cached": 0.075, "output": 4.5}}`, USD per 1M tokens;
 * `cached` defaults to `input`). Throws an Error naming `source` when the JSON or a price is wrong.
 */
export function parsePrices(json: string, source: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = table.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join('.') || 'value'} ${issue?.message ?? 'is invalid'}`);
  }
  return Object.fromEntries(
    Object.entries(parsed.data).map(([model, p]) => [
      model,
      { input: p.input, cached: p.cached ?? p.input, output: p.output },
    ]),
  );
}

/** The built-in table with the operator's prices (MODEL_PRICES_FILE) on top: theirs win, model by model. */
export function loadPrices(file?: string): PriceTable {
  if (!file) return DEFAULT_PRICES;
  return { ...DEFAULT_PRICES, ...parsePrices(readPricesFile(file), `MODEL_PRICES_FILE (${file})`) };
}

function readPricesFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`MODEL_PRICES_FILE (${file}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** Splits usage into the three billed kinds: uncached input, cached input, output (providers count cached in input). */
export function billedTokens(usage: LlmUsage): { input: number; cached: number; output: number } {
  const cached = Math.min(usage.cachedTokens ?? 0, usage.inputTokens);
  return { input: usage.inputTokens - cached, cached, output: usage.outputTokens };
}

/** A model's price: its own entry, else that of its undated name (`gpt-5.4-mini-2026-03-17` → `gpt-5.4-mini`). */
export function priceOf(prices: PriceTable, model: string): ModelPrice | undefined {
  return prices[model] ?? prices[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}

/** Estimated USD cost of one answer's usage; 0 for a model with no price. */
export function estimateCost(prices: PriceTable, model: string, usage: LlmUsage): number {
  const p = priceOf(prices, model);
  if (!p) return 0;
  const t = billedTokens(usage);
  return (t.input * p.input + t.cached * p.cached + t.output * p.output) / 1_000_000;
}
