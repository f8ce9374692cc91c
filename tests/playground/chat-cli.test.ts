import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runChat } from '../../src/playground/chat-cli';
import type { ChatSessionDeps } from '../../src/playground/chat-session';
import { type FakeOpenAI, instructionsOf, lastUserText, messagesOf, startFakeOpenAI } from '../helpers/fake-openai';
import { scratchDir } from '../helpers/scratch-dir';
import { tinyPdf } from '../helpers/tiny-pdf';
import { capture, contextsFolder, playgroundEnv } from './playground-env';

let fake: FakeOpenAI;
let contexts: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  contexts = contextsFolder();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.respond(() => ({ text: 'Hello from the fake model.' }));
});

/** Runs the chat on `lines` (then end of input); returns what it printed and its exit code. */
async function chat(
  lines: string[],
  options: { args?: string[]; env?: NodeJS.ProcessEnv; extra?: Partial<ChatSessionDeps> } = {},
) {
  const input = new PassThrough();
  const output = capture();
  const errors = capture();
  const run = runChat(
    options.args ?? [],
    options.env ?? playgroundEnv(fake.baseURL, contexts),
    process.cwd(),
    { input, output, errors },
    options.extra,
  );
  input.end(lines.map((line) => `${line}\n`).join(''));
  const code = await run.exitCode;
  return { code, out: output.text(), writes: output.writes, err: errors.text() };
}

describe('npm run chat', () => {
  it('streams the answer into the terminal as it is written, in plain text when not a terminal', async () => {
    fake.enqueue({ deltas: ['Open ', '**Self Service**', ' and search.'], deltaDelayMs: 40 });
    const { code, out, writes } = await chat(['How do I install Zoom?']);
    expect(code).toBe(0);
    expect(out).toContain('Open **Self Service** and search.');
    // Each delta the model writes apart reaches the terminal on its own, as it arrives.
    expect(writes).toEqual(expect.arrayContaining(['Open ', '**Self Service**', ' and search.']));
    expect(out).not.toContain('\x1b[');
    expect(lastUserText(fake.requests[0])).toBe('How do I install Zoom?');
  });

  it('keeps the conversation: a follow-up is sent with the earlier question and answer', async () => {
    fake.enqueue({ text: 'Restart it.' }, { text: 'Then raise a ticket.' });
    await chat(['My VPN fails', 'Still failing']);
    expect(messagesOf(fake.requests[1])).toEqual([
      { role: 'user', content: 'My VPN fails' },
      { role: 'assistant', content: 'Restart it.' },
      { role: 'user', content: 'Still failing' },
    ]);
  });

  it('/reset forgets the conversation', async () => {
    const { out } = await chat(['My VPN fails', '/reset', 'Hello again']);
    expect(out).toContain('Conversation forgotten.');
    expect(messagesOf(fake.requests[1])).toEqual([{ role: 'user', content: 'Hello again' }]);
  });

  it('/context switches to another context (and a new conversation); --context picks one at start', async () => {
    const { out } = await chat(['Hi', '/context hr', 'How much leave do I get?']);
    expect(out).toContain("Now using context 'People team'");
    expect(instructionsOf(fake.requests[0])).toContain('Laptops are MacBooks');
    expect(instructionsOf(fake.requests[1])).toContain('Annual leave is 25 days');
    expect(messagesOf(fake.requests[1])).toHaveLength(1);

    await chat(['Leave?'], { args: ['--context', 'People team'] });
    expect(instructionsOf(fake.requests[2])).toContain('Annual leave is 25 days');
  });

  it('lists the contexts, and says so when a name matches none', async () => {
    const { out } = await chat(['/context', '/context payroll']);
    expect(out).toContain('* IT support');
    expect(out).toContain('  People team');
    expect(out).toContain("no context 'payroll'");
  });

  it('needs no Slack token, and says clearly when OPENAI_API_KEY is missing', async () => {
    const env = playgroundEnv(fake.baseURL, contexts);
    delete env.OPENAI_API_KEY;
    const { code, err } = await chat(['Hi'], { env });
    expect(code).toBe(2);
    expect(err).toContain('OPENAI_API_KEY is required');
    expect(err).toContain('no Slack tokens are needed');
    expect(fake.requests).toHaveLength(0);
  });

  it('Ctrl-C during an answer stops the answer, not the program', async () => {
    fake.enqueue({ deltas: ['Working on', ' it', ' forever'], stallAfter: 1 }, { text: 'Second answer.' });
    const input = new PassThrough();
    const output = capture();
    const run = runChat([], playgroundEnv(fake.baseURL, contexts), process.cwd(), { input, output, errors: capture() });
    input.write('First question\n');
    while (!output.text().includes('Working on')) await new Promise((resolve) => setImmediate(resolve));
    run.interrupt();
    input.end('Second question\n');
    expect(await run.exitCode).toBe(0);
    expect(output.text()).toContain('[stopped');
    expect(output.text()).toContain('Second answer.');
    // A stopped answer is not kept: the next question starts afresh.
    expect(messagesOf(fake.requests[1])).toEqual([{ role: 'user', content: 'Second question' }]);
  });

  it('/tokens shows what the last request held and the usage the model reported', async () => {
    fake.enqueue({ text: 'Fine.', usage: { input: 1500, output: 3, cached: 1024 } });
    const { out } = await chat(['/tokens', 'Hello', '/tokens']);
    expect(out).toContain('No question asked yet.');
    expect(out).toMatch(/instructions\s+\d+/);
    expect(out).toMatch(/history\s+0 \(0 turns\)/);
    expect(out).toMatch(/question\s+1\b/);
    expect(out).toContain('input 1500 (cached 1024), output 3');
  });

  it('/history shows the conversation', async () => {
    fake.enqueue({ text: 'Use Self Service.' });
    const { out } = await chat(['/history', 'Install Zoom?', '/history']);
    expect(out).toContain('No conversation yet.');
    expect(out).toContain('you: Install Zoom?\nbot: Use Self Service.');
  });

  it('/file attaches a text file to the next question, as a named fenced block', async () => {
    const file = path.join(scratchDir('chat-file'), 'vpn.log');
    writeFileSync(file, 'GP error: portal unreachable\n');
    const { out } = await chat([`/file ${file}`, 'What does this log mean?', '/file /no/such/file.txt']);
    expect(out).toContain('Attached vpn.log');
    expect(lastUserText(fake.requests[0])).toBe(
      'vpn.log:\n```\nGP error: portal unreachable\n```\n\nWhat does this log mean?',
    );
    expect(out).toContain('cannot read /no/such/file.txt (ENOENT)');
  });

  it("/file attaches a PDF's text, as the bot reads PDFs attached in Slack", async () => {
    const file = path.join(scratchDir('chat-file'), 'notice.pdf');
    writeFileSync(file, tinyPdf(['Badge readers offline on Friday']));
    await chat([`/file ${file}`, 'Does this affect me?']);
    expect(lastUserText(fake.requests[0])).toMatch(/^notice\.pdf:\n```+\n.*Badge readers offline on Friday/s);
  });

  it('/sources says none without knowledge, and lists the retrieved documents with it', async () => {
    expect((await chat(['Hi', '/sources'])).out).toContain('this context has no knowledge folder');

    const retrieve = async () => ({
      passagesText: 'Passwords: use https://id.example.com.',
      sources: [{ title: 'Passwords', heading: 'Reset', docId: 'passwords.md' }],
    });
    const { out } = await chat(['/sources', 'Reset?', '/sources'], { extra: { retrieveFor: () => retrieve } });
    expect(out).toContain('No passages were retrieved');
    expect(out).toContain('- Passwords › Reset (passwords.md)');
    expect(lastUserText(fake.requests[1])).toContain('Passwords: use https://id.example.com.');
  });

  it('speaks Chat Completions to a local server (OPENAI_API=chat), usage included', async () => {
    fake.enqueue({ text: 'Local answer.', usage: { input: 40, output: 2, cached: 0 } });
    const env = playgroundEnv(fake.baseURL, contexts, { OPENAI_API: 'chat', OPENAI_API_KEY: 'anything' });
    const { out } = await chat(['Hi', '/tokens'], { env });
    expect(fake.requests[0].api).toBe('chat');
    expect(out).toContain('Local answer.');
    expect(out).toContain('input 40 (cached 0), output 2');
  });

  it('reports a failed model call and carries on', async () => {
    fake.enqueue({ status: 401 }, { text: 'Back again.' });
    const { code, out } = await chat(['Hi', 'Hi again']);
    expect(code).toBe(0);
    expect(out).toContain('The model call failed (auth 401)');
    expect(out).toContain('Back again.');
  });
});
