import path from 'node:path';
import { loadContexts } from '../../src/conversation/context-registry';
import { EvalFileError } from '../../src/errors';
import { contextNamed } from '../../src/playground/context-by-name';
import { parseEvalFile, readEvalFile } from '../../src/playground/eval-file';
import { recordingLogger } from '../helpers/recording-logger';

function problem(source: string): EvalFileError {
  try {
    parseEvalFile('contexts/it.eval.yml', source);
  } catch (err) {
    if (err instanceof EvalFileError) return err;
    throw err;
  }
  throw new Error('expected an EvalFileError');
}

describe('eval files', () => {
  it('reads cases, with the context defaulting to the file name', () => {
    const file = parseEvalFile(
      'contexts/it.eval.yml',
      `cases:
  - name: follow-up
    history:
      - {role: user, text: My VPN fails}
      - {role: assistant, text: Restart it.}
    question: Still failing
    must_include: [ticket]
    rubric: Escalates.
    sources: [vpn.md]
`,
    );
    expect(file.context).toBe('it');
    expect(file.cases).toEqual([
      {
        name: 'follow-up',
        question: 'Still failing',
        history: [
          { role: 'user', text: 'My VPN fails' },
          { role: 'assistant', text: 'Restart it.' },
        ],
        mustInclude: ['ticket'],
        mustNotInclude: [],
        rubric: 'Escalates.',
        sources: ['vpn.md'],
        line: 2,
      },
    ]);
  });

  it.each([
    [
      'a wrong type',
      'cases:\n  - name: a\n    question: b\n    must_include: yes\n',
      4,
      'cases[0].must_include',
      'expected a list',
    ],
    [
      'a missing key',
      'cases:\n  - name: a\n    question: b\n  - name: c\n',
      4,
      'cases[1].question',
      'expected a question',
    ],
    [
      'a bad role',
      'cases:\n  - name: a\n    question: b\n    history:\n      - role: bot\n        text: hi\n',
      5,
      'cases[0].history[0].role',
      "'user' or 'assistant'",
    ],
    ['an unknown top-level key', 'context: it\ncase:\n  - name: a\n', 2, 'case', 'unknown key'],
    ['no cases', 'context: it\ncases: []\n', 2, 'cases', 'at least one case'],
    [
      'a name used twice',
      'cases:\n  - name: a\n    question: b\n  - name: a\n    question: c\n',
      4,
      'cases[1].name',
      'used twice',
    ],
  ])('names the file, line and key of %s', (_what, source, line, key, reason) => {
    const err = problem(source);
    expect(err).toMatchObject({ file: 'contexts/it.eval.yml', line, key });
    expect(err.message).toContain(`contexts/it.eval.yml:${line}: ${key}: `);
    expect(err.message).toContain(reason);
  });

  it('names the line of a YAML syntax error', () => {
    const err = problem('cases:\n  - name: a\n    question: [unclosed\n');
    expect(err.message).toMatch(/^contexts\/it\.eval\.yml:\d+: not valid YAML/);
    expect(err.line).toBeGreaterThanOrEqual(3);
  });

  it('ships contexts/default.eval.yml for the example context, covering its procedures and boundaries', async () => {
    const root = path.resolve(__dirname, '../..');
    const file = await readEvalFile(path.join(root, 'contexts/default.eval.yml'));
    const contexts = await loadContexts(path.join(root, 'contexts'), recordingLogger());
    try {
      expect(contextNamed(contexts, file.context)?.name).toBe('IT support');
    } finally {
      contexts.close();
    }
    const names = file.cases.map((c) => c.name.toLowerCase()).join('\n');
    for (const topic of [
      'password reset',
      'mfa',
      'vpn',
      'laptop',
      'software',
      'never asks for a password',
      'ticket',
      'phishing',
    ]) {
      expect(names).toContain(topic);
    }
  });
});
