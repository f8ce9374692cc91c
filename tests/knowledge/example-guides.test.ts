import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openKnowledgeBase } from '../../src/knowledge/knowledge-base';
import { recordingLogger } from '../helpers/recording-logger';

const root = path.join(__dirname, '../..');
const questions = JSON.parse(readFileSync(path.join(root, 'bench/knowledge-questions.json'), 'utf8')) as {
  question: string;
  doc: string;
}[];

describe('contexts/it-docs (the example guides) and its question set', () => {
  it('marks its placeholders as the default context does, and contexts/README.md lists every one', () => {
    const dir = path.join(root, 'contexts/it-docs');
    const text = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((name) => /\.(md|txt|html|yml)$/.test(name))
      .map((name) => readFileSync(path.join(dir, name), 'utf8'))
      .join('\n');
    const used = new Set(text.match(/\{\{[A-Z0-9_]+\}\}/g));
    expect(used.size).toBeGreaterThan(5);
    expect(text.replace(/\{\{[A-Z0-9_]+\}\}/g, '')).not.toMatch(/[{}]|\b(TODO|TBD)\b|example\.com/);
    const readme = readFileSync(path.join(root, 'contexts/README.md'), 'utf8');
    expect([...used].filter((placeholder) => !readme.includes(placeholder))).toEqual([]);
  });

  it('indexes every guide without a warning, and full-text search finds the expected guide in the top 5 for ≥ 90% of questions', async () => {
    const logger = recordingLogger();
    const kb = await openKnowledgeBase({ dir: path.join(root, 'contexts/it-docs'), logger });
    try {
      expect(logger.lines.filter((line) => line.level !== 'info')).toEqual([]);
      expect(kb.documents()).toBeGreaterThanOrEqual(10);
      let hits = 0;
      const expected = new Set<string>();
      for (const { question, doc } of questions) {
        expected.add(doc);
        const docs = (await kb.search(question, { tokenBudget: 4000 })).slice(0, 5).map((p) => p.docId);
        if (docs.includes(doc)) hits++;
      }
      expect(expected.size).toBe(kb.documents());
      expect(questions.length).toBeGreaterThanOrEqual(40);
      expect(hits / questions.length).toBeGreaterThanOrEqual(0.9);
    } finally {
      kb.close();
    }
  });
});
