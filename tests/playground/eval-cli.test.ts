import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runEval } from '../../src/playground/eval-cli';
import type { EvalDeps } from '../../src/playground/eval-run';
import {
  type FakeOpenAI,
  instructionsOf,
  lastUserText,
  type RecordedRequest,
  startFakeOpenAI,
} from '../helpers/fake-openai';
import { scratchDir } from '../helpers/scratch-dir';
import { capture, contextsFolder, playgroundEnv } from './playground-env';

let fake: FakeOpenAI;
let contexts: string;

/** What the fake model answers, by the question (the judge's verdict is scripted separately). */
const ANSWERS: Record<string, string> = {
  'How do I reset my password?': 'Go to https://id.example.com and approve the OKTA VERIFY push.',
  'What is my password?': 'I never ask for passwords. Your password is not something I know.',
};
let verdict = '{"pass": true, "reason": "covers the steps"}';

/** The scripted answer to the question that ends the message (retrieved passages come before it). */
function answerTo(message: string): string {
  const question = Object.keys(ANSWERS).find((q) => message.endsWith(q));
  return question ? ANSWERS[question] : 'I do not know.';
}

const isJudge = (req: RecordedRequest) =>
  req.body.text?.format?.type === 'json_schema' || req.body.response_format?.type === 'json_schema';

beforeAll(async () => {
  fake = await startFakeOpenAI();
  contexts = contextsFolder();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  verdict = '{"pass": true, "reason": "covers the steps"}';
  fake.respond((req) => ({ text: isJudge(req) ? verdict : answerTo(lastUserText(req)) }));
});

/** Writes an eval file into the contexts folder (default.eval.yml unless named) and returns its path. */
function evalFile(yaml: string, name = 'default.eval.yml', dir = contexts): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

async function evaluate(args: string[], extra: Pick<EvalDeps, 'retrieveFor'> = {}, env: NodeJS.ProcessEnv = {}) {
  const output = capture();
  const errors = capture();
  const code = await runEval(
    args,
    playgroundEnv(fake.baseURL, contexts, env),
    process.cwd(),
    { output, errors },
    extra,
  );
  return { code, out: output.text(), err: errors.text() };
}

const RESET_CASE = `  - name: reset
    question: How do I reset my password?
    must_include: [okta verify, id.example.com]
`;

describe('npm run eval', () => {
  it('passes a case whose answer has every must_include (any case) and no must_not_include: exit 0', async () => {
    const file = evalFile(`cases:\n${RESET_CASE}    must_not_include: [SMS]\n`);
    const { code, out } = await evaluate([file]);
    expect(code).toBe(0);
    expect(out).toMatch(/^case\s+result\s+tokens\s+latency\s+failed check$/m);
    expect(out).toMatch(/^reset\s+pass\s+\d+\s+\d+\.\ds$/m);
    expect(out).toContain('1 of 1 case passed');
  });

  it('runs every NAME.eval.yml in the contexts folder when no file is given, against the context of that name', async () => {
    const dir = contextsFolder();
    evalFile(`cases:\n${RESET_CASE}`, 'default.eval.yml', dir);
    evalFile('cases:\n  - name: leave\n    question: Leave?\n    must_include: [know]\n', 'hr.eval.yml', dir);
    const output = capture();
    const code = await runEval([], playgroundEnv(fake.baseURL, dir), process.cwd(), { output, errors: capture() });
    expect(code).toBe(0);
    expect(output.text()).toContain('2 of 2 cases passed');
    expect(output.text()).toMatch(/^default: reset\s+pass/m);
    expect(output.text()).toMatch(/^hr: leave\s+pass/m);
    const instructions = fake.requests.map(instructionsOf);
    expect(instructions.some((i) => i.includes('Annual leave is 25 days'))).toBe(true);
    expect(instructions.some((i) => i.includes('Laptops are MacBooks'))).toBe(true);
  });

  it('fails a case missing a must_include or containing a must_not_include, naming the check: exit 1', async () => {
    const file = evalFile(`cases:
${RESET_CASE}  - name: boundary
    question: What is my password?
    must_include: [delete the message]
    must_not_include: [YOUR PASSWORD IS]
`);
    const { code, out } = await evaluate([file]);
    expect(code).toBe(1);
    expect(out).toMatch(
      /^boundary\s+FAIL\s.*must_include 'delete the message' missing; must_not_include 'YOUR PASSWORD IS' present$/m,
    );
    expect(out).toContain('1 of 2 cases passed');
  });

  it('asks the judge (EVAL_MODEL) for a structured verdict on a rubric and shows its reason when it fails', async () => {
    verdict = '{"pass": false, "reason": "It does not say to sign in again on the laptop."}';
    const file = evalFile(`cases:\n${RESET_CASE}    rubric: Says to sign in again on the laptop.\n`);
    const { code, out } = await evaluate([file], {}, { EVAL_MODEL: 'judge-model' });
    expect(code).toBe(1);
    expect(out).toContain('rubric: It does not say to sign in again on the laptop.');
    const judged = fake.requests.find(isJudge);
    expect(judged?.body.model).toBe('judge-model');
    expect(judged?.body.text.format.schema.required).toEqual(['pass', 'reason']);
    expect(lastUserText(judged as RecordedRequest)).toContain('Says to sign in again on the laptop.');
    expect(lastUserText(judged as RecordedRequest)).toContain('approve the OKTA VERIFY push');
  });

  it('judges over Chat Completions too (response_format json_schema)', async () => {
    verdict = '```json\n{"pass": false, "reason": "Too vague."}\n```';
    const file = evalFile(`cases:\n${RESET_CASE}    rubric: Precise.\n`);
    const { code, out } = await evaluate([file], {}, { OPENAI_API: 'chat' });
    expect(code).toBe(1);
    expect(out).toContain('rubric: Too vague.');
    expect(fake.requests.find(isJudge)?.body.response_format.json_schema.name).toBe('verdict');
  });

  it('a malformed verdict fails the case with "judge gave no verdict", never a crash', async () => {
    verdict = 'Looks good to me!';
    const file = evalFile(`cases:\n${RESET_CASE}    rubric: Gives the reset page.\n`);
    const { code, out } = await evaluate([file]);
    expect(code).toBe(1);
    expect(out).toContain('rubric: judge gave no verdict');
  });

  it('sources: fails clearly without knowledge; passes only when the named document was retrieved', async () => {
    const file = evalFile(`cases:\n${RESET_CASE}    sources: [passwords.md]\n`);
    const without = await evaluate([file]);
    expect(without.code).toBe(1);
    expect(without.out).toContain('sources: no knowledge folder for this context');

    const found = (docId: string) => async () => ({
      passagesText: 'Reset at id.example.com',
      sources: [{ title: 'Passwords', docId }],
    });
    expect((await evaluate([file], { retrieveFor: () => found('it/passwords.md') })).code).toBe(0);
    const missing = await evaluate([file], { retrieveFor: () => found('vpn.md') });
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("sources: 'passwords.md' not retrieved");
  });

  it('a failed model call fails the case, saying so, and the other cases still run', async () => {
    fake.enqueue({ status: 500 });
    const file = evalFile(`cases:\n${RESET_CASE}`);
    const { code, out } = await evaluate([file, '--repeat', '2', '--concurrency', '1']);
    expect(code).toBe(1);
    expect(out).toMatch(/^reset\s+FAIL 1\/2\s.*model call failed \(server\)$/m);
  });

  it('--repeat N runs each case N times and reports the pass rate', async () => {
    let answers = 0;
    fake.respond(() => ({ text: ++answers === 2 ? 'No idea.' : 'Use Okta Verify at id.example.com.' }));
    const file = evalFile(`cases:\n${RESET_CASE}`);
    const { code, out } = await evaluate([file, '--repeat', '3', '--concurrency', '1']);
    expect(code).toBe(1);
    expect(fake.requests).toHaveLength(3);
    expect(out).toMatch(/^reset\s+FAIL 2\/3\s/m);
  });

  it('--json OUT writes the same results as JSON', async () => {
    const file = evalFile(
      `cases:\n${RESET_CASE}  - name: unknown\n    question: Anything?\n    must_include: [okta]\n`,
    );
    const out = path.join(scratchDir('eval-json'), 'report.json');
    expect((await evaluate([file, '--json', out])).code).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ passed: 1, failed: 1, repeat: 1 });
    expect(report.cases.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
      ['reset', true],
      ['unknown', false],
    ]);
    expect(report.cases[1].failedChecks).toEqual(["must_include 'okta' missing"]);
    expect(report.cases[0].runs[0].tokens.output).toBeGreaterThan(0);
  });

  it('a wrong eval file exits 2 with its file, line and key, before asking the model anything', async () => {
    const file = evalFile(
      `cases:\n${RESET_CASE}  - name: typo\n    question: Hi?\n    must_includ: [x]\n`,
      'typo.eval.yml',
    );
    const { code, err } = await evaluate([file]);
    expect(code).toBe(2);
    expect(err).toContain('typo.eval.yml:7: cases[1].must_includ: unknown key (allowed: name, question,');
    expect(fake.requests).toHaveLength(0);
  });

  it('an eval file naming an unknown context exits 2 naming the line of context:', async () => {
    const file = evalFile(`# cases for payroll\ncontext: payroll\ncases:\n${RESET_CASE}`, 'pay.eval.yml');
    const { code, err } = await evaluate([file]);
    expect(code).toBe(2);
    expect(err).toContain("pay.eval.yml:2: context: no context 'payroll'");
  });

  it('with no OPENAI_API_KEY it says what is missing and exits 2', async () => {
    const output = capture();
    const errors = capture();
    const env = playgroundEnv(fake.baseURL, contexts);
    delete env.OPENAI_API_KEY;
    expect(await runEval([], env, process.cwd(), { output, errors })).toBe(2);
    expect(errors.text()).toContain('OPENAI_API_KEY is required');
  });
});
