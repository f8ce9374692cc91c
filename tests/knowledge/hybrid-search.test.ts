import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openKnowledgeBase } from '../../src/knowledge/knowledge-base';
import { createEmbedder } from '../../src/llm/openai-embedder';
import { bagOfWordsVector, type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai';
import { recordingLogger } from '../helpers/recording-logger';
import { scratchDir } from '../helpers/scratch-dir';

/** Words the fake embedding model treats as meaning the same thing, so meaning can be found without shared words. */
const SYNONYMS: Record<string, string> = { notebook: 'laptop', sluggish: 'slow', crawling: 'slow' };
const withSynonyms = (text: string) =>
  bagOfWordsVector(text.replace(/[\p{L}]+/gu, (word) => SYNONYMS[word.toLowerCase()] ?? word));

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.embedWith(withSynonyms);
});
afterAll(() => fake.close());

function writeGuides(dir: string): void {
  writeFileSync(path.join(dir, 'laptop.md'), '# Slow laptop\n\nRestart, install updates and free disk space.\n');
  writeFileSync(path.join(dir, 'printers.md'), '# Printing\n\nTap your badge at the printer to release a job.\n');
  writeFileSync(path.join(dir, 'wifi.md'), '# Wi-Fi\n\nGuests use the guest network with a voucher.\n');
}

describe('hybrid search (full-text + embeddings, fused)', () => {
  const embed = () => createEmbedder({ apiKey: 'sk-test', baseURL: fake.baseURL, model: 'text-embedding-test' });

  it('finds a passage by meaning when no word matches, and still ranks word matches', async () => {
    const dir = scratchDir('kb-hybrid');
    writeGuides(dir);
    const kb = await openKnowledgeBase({ dir, logger: recordingLogger(), embed: embed() });
    await kb.idle();
    try {
      const byMeaning = await kb.search('my notebook is sluggish', { tokenBudget: 2000 });
      expect(byMeaning[0]?.docId).toBe('laptop.md');
      const byWords = await kb.search('printer badge', { tokenBudget: 2000 });
      expect(byWords[0]?.docId).toBe('printers.md');
      expect(fake.embeddingRequests.at(-1)).toEqual({ model: 'text-embedding-test', input: ['printer badge'] });
    } finally {
      kb.close();
    }
  });

  it('caches embeddings by content in a file, so a restart embeds only what changed', async () => {
    const dir = scratchDir('kb-cache');
    writeGuides(dir);
    const cacheFile = path.join(scratchDir('kb-cache-file'), 'embeddings.json');
    const first = await openKnowledgeBase({
      dir,
      logger: recordingLogger(),
      embed: embed(),
      embeddingCacheFile: cacheFile,
    });
    await first.idle();
    first.close();
    expect(existsSync(cacheFile)).toBe(true);

    writeFileSync(path.join(dir, 'wifi.md'), '# Wi-Fi\n\nStaff laptops join automatically.\n');
    const before = fake.embeddingRequests.length;
    const second = await openKnowledgeBase({
      dir,
      logger: recordingLogger(),
      embed: embed(),
      embeddingCacheFile: cacheFile,
    });
    await second.idle();
    second.close();
    const inputs = fake.embeddingRequests.slice(before).flatMap((request) => request.input);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toContain('Staff laptops join automatically.');
  });

  it('falls back to full-text search when the embeddings endpoint fails, for passages or for the question', async () => {
    const dir = scratchDir('kb-embed-down');
    writeGuides(dir);
    const indexing = recordingLogger();
    fake.failEmbeddings(1);
    const unembedded = await openKnowledgeBase({ dir, logger: indexing, embed: embed() });
    await unembedded.idle();
    expect((await unembedded.search('printer badge', { tokenBudget: 2000 }))[0]?.docId).toBe('printers.md');
    unembedded.close();
    expect(indexing.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      'embeddings failed: these passages are found by full-text search only',
    ]);

    const searching = recordingLogger();
    const kb = await openKnowledgeBase({ dir, logger: searching, embed: embed() });
    await kb.idle();
    fake.failEmbeddings(1);
    expect((await kb.search('printer badge', { tokenBudget: 2000 }))[0]?.docId).toBe('printers.md');
    kb.close();
    expect(searching.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      'query embedding failed: full-text search only',
    ]);
  });
});
