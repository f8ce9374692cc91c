/** What `npm run chat` and `npm run eval` build before they start: settings, contexts and a model client. */
import { loadModelConfig } from '../config';
import type { ModelConfig } from '../config/model-section';
import type { ContextRegistry } from '../conversation/context';
import { loadContexts } from '../conversation/context-registry';
import { ConfigError } from '../errors';
import type { Llm } from '../llm/llm';
import { createOpenAiLlm } from '../llm/openai-llm';
import { redactSecrets } from '../secrets';
import { terminalLogger } from './terminal-logger';

/** The engine pieces the playground shares with the Slack app. */
export interface Playground {
  config: ModelConfig;
  contexts: ContextRegistry;
  llm: Llm;
  /** A client for another model on the same server (the eval judge's EVAL_MODEL). */
  llmFor(model: string): Llm;
  close(): Promise<void>;
}

/** Reads the model settings (no Slack tokens needed) and the contexts; throws ConfigError or ContextError. */
export async function openPlayground(
  env: NodeJS.ProcessEnv,
  cwd: string,
  errors: { write(text: string): unknown },
): Promise<Playground> {
  const config = loadModelConfig(env, cwd);
  const contexts = await loadContexts(config.contextsDir, terminalLogger(errors));
  const clients: (Llm & { close(): Promise<void> })[] = [];
  const llmFor = (model: string) => {
    const client = createOpenAiLlm({ ...config.openai, baseURL: config.openai.baseUrl, model });
    clients.push(client);
    return client;
  };
  const llm = llmFor(config.openai.model);
  return {
    config,
    contexts,
    llm,
    llmFor,
    close: async () => {
      contexts.close();
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** A start-up failure as lines for the terminal, with the way out when the key is missing. */
export function describeStartupError(command: string, err: unknown): string {
  if (err instanceof ConfigError) {
    const lines = err.problems.map((problem) => `${command}: ${problem}`);
    if (err.problems.some((problem) => problem.startsWith('OPENAI_API_KEY'))) {
      lines.push(
        `${command}: set OPENAI_API_KEY in the environment or in .env; no Slack tokens are needed. For a local ` +
          'server (Ollama, vLLM, LM Studio) any value works, with OPENAI_BASE_URL and OPENAI_API=chat.',
      );
    }
    return `${lines.join('\n')}\n`;
  }
  return `${command}: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`;
}
