/** Passage embeddings: computed in batches, cached on disk by content hash, ranked by cosine similarity. */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Logger } from '../logger';
import type { Embed } from './passage';

/** Texts per embeddings request: well under every provider's input limit. */
const BATCH = 64;
/** Below this cosine similarity a passage is not considered related (typical for OpenAI's embedding models). */
export const MIN_SIMILARITY = 0.3;
const SAVE_DELAY_MS = 1000;

interface CacheFile {
  version: 1;
  /** sha256(model, text) → little-endian float32 vector, base64. */
  vectors: Record<string, string>;
}

const toBase64 = (vector: Float32Array) =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
const fromBase64 = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** Unit length, so that cosine similarity is a dot product. */
function normalise(values: number[]): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

export class EmbeddingIndex {
  private readonly byHash = new Map<string, Float32Array>();
  private readonly byId = new Map<number, { hash: string; vector: Float32Array }>();
  private saveTimer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    private readonly embed: Embed,
    private readonly logger: Logger,
    private readonly cacheFile?: string,
  ) {}

  /** Loads the cache file; a missing or damaged one just means paying for embeddings again. */
  async loadCache(): Promise<void> {
    if (!this.cacheFile) return;
    const raw = await readFile(this.cacheFile, 'utf8').catch(() => undefined);
    if (raw === undefined) return;
    try {
      const data = JSON.parse(raw) as CacheFile;
      for (const [hash, vector] of Object.entries(data.vectors ?? {})) this.byHash.set(hash, fromBase64(vector));
    } catch {
      this.logger.warn('embedding cache unreadable: starting a new one', { file: this.cacheFile });
    }
  }

  private hash(text: string): string {
    return createHash('sha256')
      .update(`${this.embed.model ?? ''}\n${text}`)
      .digest('base64url');
  }

  /** Embeds what the cache does not hold; passages whose batch fails stay out of the vector ranking. */
  async add(items: { id: number; text: string }[]): Promise<void> {
    const missing: { id: number; text: string; hash: string }[] = [];
    for (const { id, text } of items) {
      const hash = this.hash(text);
      const cached = this.byHash.get(hash);
      if (cached) this.byId.set(id, { hash, vector: cached });
      else missing.push({ id, text, hash });
    }
    for (let i = 0; i < missing.length; i += BATCH) {
      const batch = missing.slice(i, i + BATCH);
      try {
        const vectors = await this.embed(batch.map((item) => item.text));
        batch.forEach((item, j) => {
          const vector = normalise(vectors[j] ?? []);
          this.byHash.set(item.hash, vector);
          this.byId.set(item.id, { hash: item.hash, vector });
        });
        this.scheduleSave();
      } catch (err) {
        this.logger.warn('embeddings failed: these passages are found by full-text search only', {
          passages: batch.length,
          error: err instanceof Error ? err.name : 'error',
        });
      }
    }
  }

  remove(id: number): void {
    this.byId.delete(id);
  }

  /** Passage ids by similarity to `text`, best first, above MIN_SIMILARITY. */
  async rank(text: string, limit: number): Promise<number[]> {
    if (this.byId.size === 0) return [];
    const [raw] = await this.embed([text]);
    const query = normalise(raw ?? []);
    const scored: { id: number; score: number }[] = [];
    for (const [id, { vector }] of this.byId) {
      if (vector.length !== query.length) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += vector[i] * query[i];
      if (dot >= MIN_SIMILARITY) scored.push({ id, score: dot });
    }
    return scored
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((entry) => entry.id);
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (!this.cacheFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.save(), SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Writes the vectors in use (others are dropped) atomically: temp file, then rename. */
  async save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.cacheFile || !this.dirty) return;
    this.dirty = false;
    const vectors: Record<string, string> = {};
    for (const { hash, vector } of this.byId.values()) vectors[hash] = toBase64(vector);
    const data: CacheFile = { version: 1, vectors };
    const temp = `${this.cacheFile}.${process.pid}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(data));
      await rename(temp, this.cacheFile);
    } catch (err) {
      this.logger.warn('embedding cache not saved', { file: this.cacheFile, error: err });
    }
  }
}
