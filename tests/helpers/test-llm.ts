/** The model client as tests build it against the fake OpenAI: fast timeouts, no retries. */
import { createOpenAiLlm, type OpenAiLlmOptions } from '../../src/llm/openai-llm';

export function testLlm(baseURL: string, api: OpenAiLlmOptions['api'], overrides: Partial<OpenAiLlmOptions> = {}) {
  return createOpenAiLlm({
    apiKey: 'sk-test',
    baseURL,
    model: 'gpt-test',
    api,
    timeoutMs: 2_000,
    maxRetries: 0,
    idleTimeoutMs: 2_000,
    ...overrides,
  });
}
