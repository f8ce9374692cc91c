import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FakeOpenAI, lastUserText, startFakeOpenAI } from '../helpers/fake-openai';
import { scratchDir } from '../helpers/scratch-dir';

// The compiled commands, run as `npm run chat` and `npm run eval` run them (dist/ is built by jest's globalSetup).
const DIST = path.join(__dirname, '..', '..', 'dist');

let fake: FakeOpenAI;
let cwd: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  cwd = scratchDir('playground-cli');
  mkdirSync(path.join(cwd, 'contexts'));
  writeFileSync(
    path.join(cwd, 'contexts', 'default.md'),
    '---\nname: IT support\n---\nReset passwords at id.example.com.\n',
  );
});
afterAll(() => fake.close());

/** Only a key and the fake's address: no Slack token anywhere. */
const env = () => ({ PATH: process.env.PATH ?? '', OPENAI_API_KEY: 'local', OPENAI_BASE_URL: fake.baseURL });

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
}

describe('the playground commands as processes', () => {
  it('chat: Ctrl-C (SIGINT) during an answer stops the answer, and the chat goes on', async () => {
    fake.enqueue({ deltas: ['Let me', ' think', ' forever'], stallAfter: 1 }, { text: 'Reset at id.example.com.' });
    const child = spawn(process.execPath, [path.join(DIST, 'chat.js')], { cwd, env: env() });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stdin?.write('First question\n');
    while (!out.includes('Let me')) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGINT');
    child.stdin?.end('How do I reset my password?\n/quit\n');
    expect(await exited(child)).toBe(0);
    expect(out).toContain('[stopped');
    expect(out).toContain('Reset at id.example.com.');
    expect(lastUserText(fake.requests[fake.requests.length - 1])).toBe('How do I reset my password?');
  });

  it('eval: exit 0 when every case passes, 1 when one fails, 2 when the file is wrong', async () => {
    fake.respond(() => ({ text: 'Reset at id.example.com.' }));
    const run = (file: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [path.join(DIST, 'eval.js'), file], { cwd, env: env() }, (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const file = (name: string, yaml: string) => {
      writeFileSync(path.join(cwd, 'contexts', name), yaml);
      return path.join('contexts', name);
    };
    const pass = await run(
      file('default.eval.yml', 'cases:\n  - name: reset\n    question: Reset?\n    must_include: [id.example.com]\n'),
    );
    expect(pass).toMatchObject({ code: 0, stderr: '' });
    expect(pass.stdout).toContain('1 of 1 case passed');
    const fail = await run(
      file(
        'fail.eval.yml',
        'context: default\ncases:\n  - name: vpn\n    question: VPN?\n    must_include: [GlobalProtect]\n',
      ),
    );
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain("must_include 'GlobalProtect' missing");
    const bad = await run(file('bad.eval.yml', 'context: default\ncases:\n  - name: vpn\n    question: [VPN?\n'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/contexts\/bad\.eval\.yml:\d+: not valid YAML/);
  });
});
