// `npm run chat` / `npm run eval` search a context's knowledge folder through the bot's own library.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Context } from '../../src/conversation/context';
import { createKnowledgeLibrary } from '../../src/knowledge/library';
import { playgroundKnowledge, retrieverFor } from '../../src/knowledge/playground-knowledge';
import { runChat } from '../../src/playground/chat-cli';
import { runEval } from '../../src/playground/eval-cli';
import { readEvalFile } from '../../src/playground/eval-file';
import { type FakeOpenAI, lastUserText, startFakeOpenAI } from '../helpers/fake-openai';
import { recordingLogger } from '../helpers/recording-logger';
import { scratchDir } from '../helpers/scratch-dir';
import { capture, contextsFolder, playgroundEnv } from '../playground/playground-env';

let fake: FakeOpenAI;
let contexts: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  contexts = contextsFolder();
  writeFileSync(
    path.join(contexts, 'default.md'),
    '---\nname: IT support\nknowledge: guides\n---\nLaptops are MacBooks.\n',
  );
  mkdirSync(path.join(contexts, 'guides'));
  writeFileSync(
    path.join(contexts, 'guides', 'printers.md'),
    '# Printers\n\n## Release codes\n\nThe Follow-Me release code is 4711.\n',
  );
});
afterAll(() => fake.close());

describe('knowledge in the playground', () => {
  it('chat: sends the excerpts with the question, /sources lists them, a follow-up searches with the question before', async () => {
    fake.respond(() => ({ text: 'Use 4711 [1].' }));
    const env = playgroundEnv(fake.baseURL, contexts);
    const errors = capture();
    const knowledge = playgroundKnowledge(env, process.cwd(), errors);
    const input = new PassThrough();
    const output = capture();
    const run = runChat([], env, process.cwd(), { input, output, errors }, { retrieveFor: knowledge.retrieveFor });
    input.end('What is the printer release code?\n/sources\nand if that does not work?\n');
    expect(await run.exitCode).toBe(0);
    knowledge.close();

    expect(lastUserText(fake.requests[0])).toContain(
      '[1] Printers › Release codes\nThe Follow-Me release code is 4711.',
    );
    expect(output.text()).toContain('- Printers › Release codes (printers.md)');
    expect(lastUserText(fake.requests[1])).toContain('The Follow-Me release code is 4711.');
    expect(errors.text()).toBe('');
  });

  it('eval: a case naming `sources:` passes when the folder yields that document', async () => {
    fake.respond(() => ({ text: 'Use 4711 [1].' }));
    const file = path.join(contexts, 'default.eval.yml');
    writeFileSync(
      file,
      'cases:\n  - name: release code\n    question: printer release code?\n    sources: [printers.md]\n  - name: wrong\n    question: printer release code?\n    sources: [vpn.md]\n',
    );
    const env = playgroundEnv(fake.baseURL, contexts);
    const knowledge = playgroundKnowledge(env, process.cwd(), capture());
    const output = capture();
    const code = await runEval([file], env, process.cwd(), { output, errors: capture() }, knowledge);
    knowledge.close();
    expect(code).toBe(1);
    expect(output.text()).toMatch(/release code\s.*pass/i);
    expect(output.text()).toContain("sources: 'vpn.md' not retrieved");
  });

  it('finds every source the shipped contexts/default.eval.yml names, for its question', async () => {
    const root = path.resolve(__dirname, '../..');
    const file = await readEvalFile(path.join(root, 'contexts/default.eval.yml'));
    const library = createKnowledgeLibrary({ logger: recordingLogger(), cacheDir: scratchDir('cache') });
    const retrieve = retrieverFor(library, 3000)({ knowledge: path.join(root, 'contexts/it-docs') } as Context);
    try {
      const missing: string[] = [];
      for (const c of file.cases.filter((c) => c.sources.length > 0)) {
        const history = c.history.map((t, i) => ({ role: t.role, text: t.text, ts: String(i) }));
        const found = (await retrieve!(c.question, history)).sources.map((s) => s.docId);
        missing.push(...c.sources.filter((wanted) => !found.includes(wanted)).map((wanted) => `${c.name}: ${wanted}`));
      }
      expect(file.cases.filter((c) => c.sources.length > 0).length).toBeGreaterThanOrEqual(5);
      expect(missing).toEqual([]);
    } finally {
      library.close();
    }
  });
});
