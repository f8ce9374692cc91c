/** The knowledge library as the settings ask for it; shared by the bot and the chat/eval playground. */
import type { Config } from '../config';
import { extractPdfText } from '../files/pdf-text';
import { createEmbedder } from '../llm/openai-embedder';
import type { Logger } from '../logger';
import { createKnowledgeLibrary, type KnowledgeLibrary } from './library';

/** Hybrid search when OPENAI_EMBEDDING_MODEL is set (same server and key as the chat model); PDFs read in a worker. */
export function openKnowledgeLibrary(config: Pick<Config, 'knowledge' | 'openai'>, logger: Logger): KnowledgeLibrary {
  const { embeddingModel, cacheDir } = config.knowledge;
  const { apiKey, baseUrl, timeoutMs } = config.openai;
  const embed = embeddingModel
    ? createEmbedder({ apiKey, baseURL: baseUrl, model: embeddingModel, timeoutMs })
    : undefined;
  return createKnowledgeLibrary({ logger, embed, cacheDir, readPdf: (bytes) => extractPdfText(bytes) });
}
