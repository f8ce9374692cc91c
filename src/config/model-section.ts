import path from 'node:path';
import { z } from 'zod';
import { httpUrl, int, type ParsedEnv } from './env-parsers';

export const DEFAULT_MODEL = 'gpt-5.4-mini';
/**
 * Output tokens an answer may use unless OPENAI_MAX_OUTPUT_TOKENS says otherwise (0 = no cap). Reasoning models count
 * their reasoning here too, so this leaves room for it beside a long Slack answer (~1,500 tokens).
 */
const DEFAULT_MAX_OUTPUT_TOKENS = 8_000;

/** The settings the model client, the contexts and the prompt need: no Slack, no store. */
export const modelFields = {
  OPENAI_API_KEY: z
    .string({ error: 'OPENAI_API_KEY is required (any non-empty value for servers that need no key)' })
    .trim()
    .min(1, 'OPENAI_API_KEY must not be empty'),
  OPENAI_BASE_URL: httpUrl('OPENAI_BASE_URL').optional(),
  OPENAI_MODEL: z.string().trim().min(1, 'OPENAI_MODEL must not be empty').default(DEFAULT_MODEL),
  OPENAI_API: z.enum(['responses', 'chat'], { error: 'OPENAI_API must be responses or chat' }).default('responses'),
  OPENAI_TIMEOUT_MS: int('OPENAI_TIMEOUT_MS', 30_000, 1_000, 600_000),
  OPENAI_MAX_RETRIES: int('OPENAI_MAX_RETRIES', 2, 0, 10),
  OPENAI_IDLE_TIMEOUT_MS: int('OPENAI_IDLE_TIMEOUT_MS', 30_000, 100, 600_000),
  OPENAI_MAX_OUTPUT_TOKENS: int('OPENAI_MAX_OUTPUT_TOKENS', DEFAULT_MAX_OUTPUT_TOKENS, 0, 1_000_000),
  CONTEXTS_DIR: z.string().trim().min(1).default('contexts'),
  HISTORY_TOKEN_BUDGET: int('HISTORY_TOKEN_BUDGET', 12_000, 500, 1_000_000),
  KNOWLEDGE_TOKEN_BUDGET: int('KNOWLEDGE_TOKEN_BUDGET', 3_000, 200, 100_000),
  OPENAI_EMBEDDING_MODEL: z.string().trim().optional(),
  KNOWLEDGE_CACHE_DIR: z.string().trim().min(1).default('data/knowledge-cache'),
};

/** What the model-only tools (the chat playground, evals) need: the bot's settings without Slack or a store. */
export interface ModelConfig {
  openai: {
    apiKey: string;
    baseUrl: string | undefined;
    model: string;
    api: 'responses' | 'chat';
    timeoutMs: number;
    maxRetries: number;
    idleTimeoutMs: number;
    maxOutputTokens: number | undefined;
  };
  contextsDir: string;
  history: { tokenBudget: number };
  /** Knowledge folders: tokens of excerpts per question, the embedding model (hybrid search) and its cache. */
  knowledge: { tokenBudget: number; embeddingModel: string | undefined; cacheDir: string };
}

export function modelConfigOf(e: ParsedEnv<typeof modelFields>, cwd: string): ModelConfig {
  return {
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      api: e.OPENAI_API,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      maxRetries: e.OPENAI_MAX_RETRIES,
      idleTimeoutMs: e.OPENAI_IDLE_TIMEOUT_MS,
      maxOutputTokens: e.OPENAI_MAX_OUTPUT_TOKENS || undefined,
    },
    contextsDir: path.resolve(cwd, e.CONTEXTS_DIR),
    history: { tokenBudget: e.HISTORY_TOKEN_BUDGET },
    knowledge: {
      tokenBudget: e.KNOWLEDGE_TOKEN_BUDGET,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL || undefined,
      cacheDir: path.resolve(cwd, e.KNOWLEDGE_CACHE_DIR),
    },
  };
}
