/** Embeddings from the same OpenAI-compatible server as the chat model (client.embeddings.create). */
import OpenAI from 'openai';
import type { Embed } from '../knowledge/passage';

/** How to reach the embeddings endpoint. */
export interface EmbedderOptions {
  apiKey: string;
  /** Default: the SDK's (OPENAI_BASE_URL, else api.openai.com). */
  baseURL?: string;
  /** OPENAI_EMBEDDING_MODEL, e.g. text-embedding-3-small. */
  model: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
}

/** An `Embed` over one SDK client; vectors come back in the order of the texts. */
export function createEmbedder(options: EmbedderOptions): Embed {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs ?? 30_000 });
  const embed = async (texts: string[]): Promise<number[][]> => {
    if (texts.length === 0) return [];
    const response = await client.embeddings.create({ model: options.model, input: texts, encoding_format: 'float' });
    // The API may return items out of order; `index` says which input each belongs to.
    const vectors: number[][] = new Array(texts.length);
    for (const item of response.data) vectors[item.index] = item.embedding;
    return vectors;
  };
  return Object.assign(embed, { model: options.model });
}
