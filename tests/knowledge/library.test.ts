// The knowledge library: one knowledge base per folder, opened on first use, closed with the bot.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheFileName, createKnowledgeLibrary } from '../../src/knowledge/library';
import { recordingLogger } from '../helpers/recording-logger';
import { scratchDir } from '../helpers/scratch-dir';

function folderWith(text: string): string {
  const dir = scratchDir('library');
  writeFileSync(path.join(dir, 'guide.md'), text);
  return dir;
}

describe('createKnowledgeLibrary', () => {
  it('opens each folder once, however it is spelled, and keeps folders apart', async () => {
    const library = createKnowledgeLibrary({ logger: recordingLogger(), cacheDir: scratchDir('cache') });
    const printers = folderWith('# Printers\n\nRelease code 4711.\n');
    const wifi = folderWith('# Wi-Fi\n\nGuest password Sunflower.\n');
    try {
      const [a, b] = await Promise.all([library.folder(printers), library.folder(`${printers}/./`)]);
      expect(a).toBe(b);
      const other = await library.folder(wifi);
      expect(other).not.toBe(a);
      expect((await a.search('release code', { tokenBudget: 500 })).map((p) => p.text)).toEqual(['Release code 4711.']);
      expect(await other.search('release code', { tokenBudget: 500 })).toEqual([]);
    } finally {
      library.close();
    }
  });

  it('tries a folder that could not be opened again on the next question', async () => {
    const logger = recordingLogger();
    const library = createKnowledgeLibrary({ logger, cacheDir: scratchDir('cache') });
    const dir = path.join(scratchDir('library'), 'later');
    try {
      await library.prepare([dir]);
      expect(logger.lines.some((line) => line.level === 'error' && line.message.includes('could not be opened'))).toBe(
        true,
      );
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'guide.md'), '# Parking\n\nPermits at reception.\n');
      expect((await library.folder(dir)).documents()).toBe(1);
    } finally {
      library.close();
    }
  });

  it('keeps one embedding cache file per folder and model, and refuses folders once closed', async () => {
    expect(cacheFileName('/a/guides', 'small')).toMatch(/^guides-[0-9a-f]{12}\.json$/);
    expect(cacheFileName('/a/guides', 'small')).not.toBe(cacheFileName('/b/guides', 'small'));
    expect(cacheFileName('/a/guides', 'small')).not.toBe(cacheFileName('/a/guides', 'large'));

    const cacheDir = path.join(scratchDir('cache'), 'nested');
    const embed = Object.assign(async (texts: string[]) => texts.map(() => [1, 0]), { model: 'small' });
    const library = createKnowledgeLibrary({ logger: recordingLogger(), cacheDir, embed });
    const base = await library.folder(folderWith('# Printers\n\nRelease code 4711.\n'));
    await base.idle();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    library.close();
    await expect(library.folder(folderWith('# Other\n'))).rejects.toThrow('closed');
  });
});
