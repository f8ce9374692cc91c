/** Screenshots, logs and PDFs attached to questions reach the model through the real bot, safely. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCOPE_HINT } from '../../src/files/attachments';
import { imagesOf, lastUserText, promptText } from '../helpers/fake-openai';
import { png } from '../helpers/file-world';
import { tinyPdf } from '../helpers/tiny-pdf';
import { ask, BOT, decoded, MARK, screenshot } from './file-questions';
import { type Harness, startHarness } from './harness';
import { eventually } from './replies';

describe('files with the Responses API', () => {
  let h: Harness;
  let foreign: Server;
  const foreignRequests: IncomingMessage[] = [];
  const foreignUrl = () => `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;

  beforeAll(async () => {
    foreign = createServer((req, res) => {
      foreignRequests.push(req);
      res.writeHead(200, { 'content-type': 'image/png' }).end(png('foreign'));
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    h = await startHarness({ MAX_FILE_MB: '1', HISTORY_TOKEN_BUDGET: '3000', FILE_TEXT_TOKEN_BUDGET: '1000' });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => foreign.close(() => resolve()));
  });

  it('shows a DM screenshot to the model as an input_image data: URL, with the question', async () => {
    h.openai.enqueue({ text: 'That dialog means the disk is full.' });
    const { answer, request } = await ask(h, { channel: 'D0FILES1', text: 'what does this error mean?' }, [
      screenshot(),
    ]);
    expect(answer).toContain('the disk is full');
    const images = imagesOf(request);
    expect(images).toHaveLength(1);
    expect(images[0].type).toBe('input_image');
    expect(decoded(images[0].url)).toContain(MARK.image);
    expect(lastUserText(request)).toContain('what does this error mean?');
    expect(lastUserText(request)).toContain('"error.png"');
  });

  it('answers a mention that carries only a screenshot instead of greeting', async () => {
    const { request } = await ask(h, { channel: 'C0GENERAL', text: `<@${BOT}>` }, [screenshot('only.png')]);
    expect(imagesOf(request)).toHaveLength(1);
  });

  it('shows several images of one message, in order', async () => {
    const { request } = await ask(h, { channel: 'D0FILES2', text: 'before and after' }, [
      screenshot('before.png', 'BEFORE-1'),
      screenshot('after.png', 'AFTER-2'),
    ]);
    const images = imagesOf(request).map((image) => decoded(image.url));
    expect(images).toHaveLength(2);
    expect(images[0]).toContain('BEFORE-1');
    expect(images[1]).toContain('AFTER-2');
  });

  it('inlines a log file attached to a mention in a channel, as a fenced block with its name', async () => {
    const log = `started\n${MARK.log}\nstopped\n`;
    const { request } = await ask(h, { channel: 'C0GENERAL', text: `<@${BOT}> why does the sync fail?` }, [
      { name: 'sync.log', mimetype: 'text/plain', bytes: Buffer.from(log) },
    ]);
    const text = lastUserText(request);
    expect(text).toContain('why does the sync fail?');
    expect(text).toContain('"sync.log"');
    expect(text).toMatch(/```+\nstarted\nLOGLINE-frobozz-9191: disk quota exceeded\nstopped/);
  });

  it('reads a file attached to a follow-up in a channel thread, without a new mention', async () => {
    const first = await ask(h, { channel: 'C0GENERAL', text: `<@${BOT}> the installer fails` }, []);
    const { request } = await ask(
      h,
      { channel: 'C0GENERAL', text: 'here is its log', threadTs: first.ts },
      [{ name: 'install.log', mimetype: 'text/plain', bytes: Buffer.from('INSTALL-FAIL-0x80070005') }],
      2,
    );
    expect(lastUserText(request)).toContain('INSTALL-FAIL-0x80070005');
  });

  it('counts an inlined file against the history budget: a long log is cut, and older turns make room', async () => {
    const first = await ask(h, { channel: 'D0BUDGET', text: `EARLY-TURN ${'printer jam '.repeat(1100)}` }, []);
    const log = Array.from({ length: 800 }, (_, i) => `line ${i} LOG-START error code ${i * 7}`).join('\n');
    const { request } = await ask(
      h,
      { channel: 'D0BUDGET', text: 'and this log?', threadTs: first.ts },
      [{ name: 'long.log', mimetype: 'text/plain', bytes: Buffer.from(log) }],
      2,
    );
    const text = lastUserText(request);
    expect(text).toContain('"long.log" (too long: only its start and end are shown)');
    expect(text).toContain('line 0 LOG-START');
    expect(promptText(request)).not.toContain('EARLY-TURN');
  });

  it("puts a PDF's text in the question", async () => {
    const { request } = await ask(h, { channel: 'D0FILES3', text: 'is this notice about us?' }, [
      { name: 'notice.pdf', mimetype: 'application/pdf', bytes: tinyPdf([MARK.pdf]) },
    ]);
    expect(lastUserText(request)).toContain(MARK.pdf);
  });

  it('still answers with an unsupported and an oversize file, telling the model which it could not read', async () => {
    h.openai.enqueue({ text: 'I could not open the archive or the video.' });
    const { answer, request } = await ask(h, { channel: 'D0FILES4', text: 'see attached' }, [
      { name: 'logs.zip', mimetype: 'application/zip', bytes: Buffer.from('PK\u0003\u0004zip') },
      { name: 'huge.png', mimetype: 'image/png', bytes: png('big'), declaredSize: 5 * 1024 * 1024 },
    ]);
    expect(answer).toContain('could not open');
    const text = lastUserText(request);
    expect(text).toMatch(/could not read: .*"logs\.zip".*"huge\.png"/);
    expect(imagesOf(request)).toHaveLength(0);
    // Neither was downloaded.
    expect(h.slack.files.requests.filter((r) => /logs\.zip|huge\.png/.test(decodeURIComponent(r.path)))).toEqual([]);
  });

  it('shows the earlier screenshot again to a follow-up in the thread', async () => {
    const first = await ask(h, { channel: 'D0FILES5', text: 'what is this dialog?' }, [
      screenshot('dialog.png', 'DIALOG-77'),
    ]);
    const follow = await ask(
      h,
      { channel: 'D0FILES5', text: 'what does the second line of that error mean?', threadTs: first.ts },
      [],
      2,
    );
    const images = imagesOf(follow.request);
    expect(images).toHaveLength(1);
    expect(decoded(images[0].url)).toContain('DIALOG-77');
    // With the question, the last message sent.
    expect(images[0].message).toBe(follow.request.body.input.length - 1);
    expect(lastUserText(follow.request)).toContain('"dialog.png"');

    // A follow-up with a screenshot of its own is about that one: the earlier one is not shown again.
    const next = await ask(
      h,
      { channel: 'D0FILES5', text: 'and now this?', threadTs: first.ts },
      [screenshot('next.png', 'NEXT-78')],
      3,
    );
    expect(imagesOf(next.request).map((image) => decoded(image.url).includes('NEXT-78'))).toEqual([true]);
  });

  it("sees a screenshot posted before the bot was asked in the thread (read back from Slack's copy)", async () => {
    const root = await h.slack.userMessage({
      channel: 'C0GENERAL',
      user: 'U0POSTER',
      text: '',
      subtype: 'file_share',
      files: [h.slack.files.add(screenshot('root.png', 'ROOT-55'))],
    });
    const { request } = await ask(h, { channel: 'C0GENERAL', text: `<@${BOT}> any idea?`, threadTs: root.ts }, []);
    const images = imagesOf(request);
    expect(images).toHaveLength(1);
    expect(decoded(images[0].url)).toContain('ROOT-55');
  });

  it('never sends the token to a foreign host, by URL or by redirect, and answers anyway', async () => {
    const { answer, request } = await ask(h, { channel: 'D0FILES6', text: 'look at these' }, [
      { ...screenshot('elsewhere.png'), downloadUrl: `${foreignUrl()}/steal.png` },
      { ...screenshot('redirected.png'), redirectTo: `${foreignUrl()}/hop.png` },
    ]);
    expect(answer).not.toBe('');
    expect(imagesOf(request)).toHaveLength(0);
    expect(lastUserText(request)).toMatch(/could not read: .*"elsewhere\.png".*"redirected\.png"/);
    expect(foreignRequests.map((req) => req.headers.authorization).filter(Boolean)).toEqual([]);
    expect(foreignRequests.filter((req) => req.url === '/steal.png')).toEqual([]);
  });

  it('reads a Slack Connect file through files.info', async () => {
    const { request } = await ask(h, { channel: 'D0FILES7', text: 'shared from our partner' }, [
      { ...screenshot('partner.png', 'PARTNER-31'), connect: true },
    ]);
    expect(h.slack.callsFor('files.info').length).toBeGreaterThan(0);
    expect(decoded(imagesOf(request)[0].url)).toContain('PARTNER-31');
  });

  it('without files:read, logs how to fix it once and answers from the text', async () => {
    h.slack.files.noFilesRead = true;
    try {
      h.openai.enqueue({ text: 'Answered from the words alone.' });
      const { answer, request } = await ask(h, { channel: 'D0FILES8', text: 'screenshot attached' }, [screenshot()]);
      expect(answer).toContain('words alone');
      expect(imagesOf(request)).toHaveLength(0);
      expect(h.logs.entries().filter((entry) => entry.message === SCOPE_HINT)).toHaveLength(1);
    } finally {
      h.slack.files.noFilesRead = false;
    }
  });

  it('keeps file references in the store, never their contents, and nothing of a file in the logs', async () => {
    const { ts } = await ask(h, { channel: 'D0FILES9', text: 'my log' }, [
      { name: 'app.log', mimetype: 'text/plain', bytes: Buffer.from(MARK.log) },
      screenshot('shot.png'),
    ]);
    // The turn is saved just after the answer's last write: wait for it rather than race it.
    const stored = await eventually(
      () => h.bot.store.load(`${h.slack.teamId}:D0FILES9:${ts}`),
      (turns) => turns.some((turn) => turn.role === 'user'),
    );
    const question = stored.find((turn) => turn.role === 'user');
    expect(question?.files?.map((file) => file.name)).toEqual(['app.log', 'shot.png']);
    expect(question?.text).toBe('my log');
    const all = JSON.stringify(stored);
    for (const mark of Object.values(MARK)) expect(all).not.toContain(mark);
    expect(all).not.toContain('data:');
    // Every question of this suite ran with LOG_LEVEL=debug.
    const logs = h.logs.lines.join('\n');
    for (const mark of [...Object.values(MARK), 'DIALOG-77', 'PARTNER-31', 'BEFORE-1', 'INSTALL-FAIL-0x80070005']) {
      expect(logs).not.toContain(mark);
    }
    expect(logs).not.toContain('data:image');
    expect(logs).not.toContain('base64');
  });
});
