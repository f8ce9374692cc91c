import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import {
  type AttachmentCaps,
  type AttachmentDeps,
  createAttachmentResources,
  DEFAULT_ATTACHMENT_CAPS,
  readAttachments,
  refetchImages,
  SCOPE_HINT,
} from '../../src/files/attachments';
import { describeAttachments } from '../../src/files/describe';
import { type FileRef, fileReferences, parseFileRefs } from '../../src/files/file-ref';
import { type FakeFileInput, type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { type RecordingLogger, recordingLogger } from '../helpers/recording-logger';
import { tinyPdf } from '../helpers/tiny-pdf';

const BOT_TOKEN = 'xoxb-files-test-token';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** PNG-signed bytes with a recognisable payload (the reader checks the signature, not the pixels). */
function png(payload: string, size = 2048): Buffer {
  const bytes = Buffer.alloc(size, 0x41);
  Buffer.from(PNG_SIGNATURE).copy(bytes);
  Buffer.from(payload).copy(bytes, PNG_SIGNATURE.length);
  return bytes;
}

let slack: FakeSlack;
let foreign: { server: Server; url: string; requests: IncomingMessage[] };
let logger: RecordingLogger;
let resources: ReturnType<typeof createAttachmentResources>;

beforeEach(async () => {
  slack = await startFakeSlack();
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    res.writeHead(200, { 'content-type': 'image/png' }).end(png('foreign'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  foreign = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  logger = recordingLogger();
  resources = createAttachmentResources({ downloads: 4 });
});

afterEach(async () => {
  await resources.agent.close();
  await slack.close();
  await new Promise<void>((resolve) => foreign.server.close(() => resolve()));
});

function deps(overrides: Partial<AttachmentDeps> = {}, caps: Partial<AttachmentCaps> = {}): AttachmentDeps {
  const client = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR });
  return {
    botToken: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    filesInfo: async (file) => (await client.files.info({ file })).file,
    caps: { ...DEFAULT_ATTACHMENT_CAPS, ...caps },
    vision: true,
    logger,
    resources,
    ...overrides,
  };
}

/** Files as they arrive in a message event. */
function attach(...inputs: FakeFileInput[]): FileRef[] {
  return parseFileRefs({ files: inputs.map((input) => slack.files.add(input)) });
}

const logText = () => JSON.stringify(logger.lines);

describe('readAttachments', () => {
  it('shows several images to the model as data: URLs, fetched with the bot token through the redirect', async () => {
    const first = png('first screenshot');
    const second = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('second photo')]);
    const files = attach(
      { name: 'error.png', mimetype: 'image/png', bytes: first },
      { name: 'photo.jpg', mimetype: 'image/jpeg', bytes: second },
    );
    const result = await readAttachments(files, deps());
    expect(result.images).toEqual([
      { name: 'error.png', mimetype: 'image/png', dataUrl: `data:image/png;base64,${first.toString('base64')}` },
      { name: 'photo.jpg', mimetype: 'image/jpeg', dataUrl: `data:image/jpeg;base64,${second.toString('base64')}` },
    ]);
    expect(result.unreadable).toEqual([]);
    const paths = slack.files.requests.map((r) => r.path.split('/')[1]);
    expect(paths.sort()).toEqual(['files-pri', 'files-pri', 'files-tmb', 'files-tmb']);
    expect(slack.files.requests.every((r) => r.authorization === `Bearer ${BOT_TOKEN}`)).toBe(true);
  });

  it('never fetches a file on a foreign host, so the token never leaves for it', async () => {
    const files = attach({
      name: 'x.png',
      mimetype: 'image/png',
      bytes: png('x'),
      downloadUrl: `${foreign.url}/x.png`,
    });
    const result = await readAttachments(files, deps());
    expect(foreign.requests).toHaveLength(0);
    expect(result.images).toEqual([]);
    expect(result.unreadable).toEqual([{ name: 'x.png', reason: 'it is not stored on Slack' }]);
  });

  it('does not follow a redirect to a foreign host', async () => {
    const files = attach({ name: 'y.png', mimetype: 'image/png', bytes: png('y'), redirectTo: `${foreign.url}/y.png` });
    const result = await readAttachments(files, deps());
    expect(slack.files.requests).toHaveLength(1);
    expect(foreign.requests).toHaveLength(0);
    expect(result.unreadable).toEqual([{ name: 'y.png', reason: 'it is not stored on Slack' }]);
  });

  it('without files:read, spots the sign-in page, says so in one log line and goes on without the files', async () => {
    slack.files.noFilesRead = true;
    const files = attach(
      { name: 'a.png', mimetype: 'image/png', bytes: png('a') },
      { name: 'b.log', mimetype: 'text/plain', bytes: Buffer.from('line one\n') },
    );
    const result = await readAttachments(files, deps());
    expect(result.images).toEqual([]);
    expect(result.texts).toEqual([]);
    expect(result.unreadable.map((f) => f.name)).toEqual(['a.png', 'b.log']);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([SCOPE_HINT]);
    expect(SCOPE_HINT).toContain('add files:read');
  });

  it('refuses a file whose first bytes are not its declared type, without blaming the scope', async () => {
    const files = attach({ name: 'fake.png', mimetype: 'image/png', bytes: Buffer.from('MZ\x90 not a png at all') });
    const result = await readAttachments(files, deps());
    expect(result.unreadable).toEqual([{ name: 'fake.png', reason: 'its content does not match its type' }]);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('gives up on a download that takes longer than its time limit, and the answer goes on', async () => {
    const files = attach(
      {
        name: 'slow.png',
        mimetype: 'image/png',
        bytes: Buffer.concat([png('slow'), Buffer.alloc(200_000)]),
        stall: true,
      },
      { name: 'ok.txt', mimetype: 'text/plain', bytes: Buffer.from('fine') },
    );
    const result = await readAttachments(files, deps({}, { downloadTimeoutMs: 300 }));
    expect(result.unreadable).toEqual([{ name: 'slow.png', reason: 'it could not be downloaded' }]);
    expect(result.texts.map((t) => t.name)).toEqual(['ok.txt']);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ meta: expect.objectContaining({ reason: 'timeout' }) }),
    );
  });

  it('stops reading mid-stream at the size cap when the declared size lied', async () => {
    const big = Buffer.concat([png('big', 64), Buffer.alloc(4 * 1024 * 1024, 1)]);
    const files = attach({ name: 'big.png', mimetype: 'image/png', bytes: big, chunked: true, declaredSize: 1000 });
    const result = await readAttachments(files, deps({}, { maxFileBytes: 512 * 1024 }));
    expect(result.unreadable).toEqual([{ name: 'big.png', reason: 'too large (over 0.5 MB)' }]);
    const served = slack.files.requests.find((r) => r.path.startsWith('/files-tmb'));
    expect(served?.completed).toBe(false);
    expect(served?.bytesSent).toBeLessThan(big.length);
  });

  it('does not download a file whose declared size is over the cap, nor unsupported kinds', async () => {
    const files = attach(
      { name: 'huge.png', mimetype: 'image/png', bytes: png('h'), declaredSize: 30 * 1024 * 1024 },
      { name: 'clip.mp4', mimetype: 'video/mp4', bytes: Buffer.from('video') },
      { name: 'logs.zip', mimetype: 'application/zip', bytes: Buffer.from('PK') },
    );
    const result = await readAttachments(files, deps());
    expect(slack.files.requests).toHaveLength(0);
    expect(result.unreadable).toEqual([
      { name: 'huge.png', reason: 'too large (over 20 MB)' },
      { name: 'clip.mp4', reason: 'videos are not read' },
      { name: 'logs.zip', reason: 'archives are not read' },
    ]);
  });

  it('gets Slack Connect files through files.info', async () => {
    const bytes = png('connect');
    const files = attach({ name: 'shared.png', mimetype: 'image/png', bytes, connect: true });
    expect(files[0]).toMatchObject({ file_access: 'check_file_info' });
    expect(files[0].url_private_download).toBeUndefined();
    const result = await readAttachments(files, deps());
    expect(slack.callsFor('files.info')).toHaveLength(1);
    expect(result.images.map((i) => i.dataUrl)).toEqual([`data:image/png;base64,${bytes.toString('base64')}`]);
  });

  it('runs at most the configured number of downloads at once', async () => {
    resources = createAttachmentResources({ downloads: 2 });
    const inputs = Array.from({ length: 6 }, (_, i) => ({
      name: `log-${i}.txt`,
      mimetype: 'text/plain',
      bytes: Buffer.alloc(256 * 1024, 0x61 + i),
      chunked: true,
    }));
    const result = await readAttachments(attach(...inputs), deps({}, { textTokenBudget: 600 }));
    expect(result.texts).toHaveLength(6);
    expect(slack.files.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('inlines text files and PDF text, cut to the token budget with a note, and lists what it could not read', async () => {
    const log = Array.from({ length: 4000 }, (_, i) => `2026-11-28 line ${i} ok`)
      .concat('FATAL disk full')
      .join('\n');
    const files = attach(
      { name: 'app.log', mimetype: 'text/plain', bytes: Buffer.from(log) },
      { name: 'config.json', mimetype: 'application/json', bytes: Buffer.from('{"retries": 3}') },
      { name: 'manual.pdf', mimetype: 'application/pdf', bytes: tinyPdf(['Printer error 0x61', 'Call the desk']) },
      {
        name: 'budget.xlsx',
        mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        bytes: Buffer.from('PK'),
      },
    );
    const result = await readAttachments(files, deps({}, { textTokenBudget: 1500 }));
    const byName = Object.fromEntries(result.texts.map((t) => [t.name, t]));
    expect(byName['app.log'].truncated).toBe(true);
    expect(byName['app.log'].text).toContain('2026-11-28 line 0 ok');
    expect(byName['app.log'].text).toContain('FATAL disk full');
    expect(byName['config.json']).toEqual({ name: 'config.json', text: '{"retries": 3}', truncated: false });
    expect(byName['manual.pdf'].text).toBe('Printer error 0x61\nCall the desk');
    const prompt = describeAttachments(result);
    expect(prompt).toContain('Attached file "config.json":\n```\n{"retries": 3}\n```');
    expect(prompt).toContain('Attached file "app.log" (too long: only its start and end are shown)');
    expect(prompt).toContain('"budget.xlsx" (office documents are not read (a PDF or a screenshot is))');
  });

  it('with vision off, downloads no image and tells the model it could not see it', async () => {
    const files = attach({ name: 'shot.png', mimetype: 'image/png', bytes: png('s') });
    const result = await readAttachments(files, deps({ vision: false }));
    expect(slack.files.requests).toHaveLength(0);
    expect(describeAttachments(result)).toContain('"shot.png" (images cannot be read with this set-up)');
  });

  it('keeps images and files within the per-question caps, and refuses animated GIFs', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from('NETSCAPE2.0')]);
    const files = attach(
      { name: '1.png', mimetype: 'image/png', bytes: png('1') },
      { name: '2.png', mimetype: 'image/png', bytes: png('2') },
      { name: 'anim.gif', mimetype: 'image/gif', bytes: gif },
      { name: '3.png', mimetype: 'image/png', bytes: png('3') },
    );
    const result = await readAttachments(files, deps({}, { maxImagesPerRequest: 2, maxFilesPerMessage: 3 }));
    expect(result.images.map((i) => i.name)).toEqual(['1.png', '2.png']);
    expect(result.unreadable).toEqual([
      { name: 'anim.gif', reason: 'over the limit of 2 images per question' },
      { name: '3.png', reason: 'over the limit of 3 files per message' },
    ]);
  });

  it('fetches the thread’s most recent images again by id for a follow-up', async () => {
    const files = attach(
      { name: 'old.png', mimetype: 'image/png', bytes: png('old') },
      { name: 'notes.txt', mimetype: 'text/plain', bytes: Buffer.from('n') },
      { name: 'new.png', mimetype: 'image/png', bytes: png('new') },
    );
    const refs = fileReferences(files);
    expect(refs[0]).toEqual({ id: files[0].id, name: 'old.png', mimetype: 'image/png' });
    const result = await refetchImages(refs, deps(), 1);
    expect(result.images.map((i) => i.name)).toEqual(['new.png']);
    expect(slack.callsFor('files.info').map((c) => c.args.file)).toEqual([files[2].id]);
  });

  it('never logs file contents or data: URLs, at any level', async () => {
    const secret = 'TOP-SECRET-PAYLOAD-4711';
    slack.files.noFilesRead = false;
    const files = attach(
      { name: 'a.png', mimetype: 'image/png', bytes: png(secret) },
      { name: 'b.txt', mimetype: 'text/plain', bytes: Buffer.from(secret) },
      { name: 'c.png', mimetype: 'image/png', bytes: png(secret), downloadUrl: `${foreign.url}/c.png` },
      { name: 'd.png', mimetype: 'image/png', bytes: Buffer.from(secret) },
    );
    const result = await readAttachments(files, deps());
    expect(result.images).toHaveLength(1);
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logText()).not.toContain(secret);
    expect(logText()).not.toContain(png(secret).toString('base64').slice(0, 40));
    expect(logText()).not.toContain('data:');
    expect(logText()).not.toContain(BOT_TOKEN);
  });
});

describe('image memory', () => {
  it('makes a question wait for image memory held by earlier ones, and go on without images if it waits too long', async () => {
    resources = createAttachmentResources({ imageMemoryBytes: 64 * 1024 });
    const bytes = png('held', 16 * 1024);
    const first = await readAttachments(attach({ name: 'a.png', mimetype: 'image/png', bytes }), deps());
    expect(first.images).toHaveLength(1);
    const starved = await readAttachments(
      attach({ name: 'b.png', mimetype: 'image/png', bytes }),
      deps({}, { imageWaitMs: 20 }),
    );
    expect(starved.unreadable).toEqual([
      { name: 'b.png', reason: 'the bot is busy with many images; ask again in a moment' },
    ]);
    first.release();
    const after = await readAttachments(attach({ name: 'c.png', mimetype: 'image/png', bytes }), deps());
    expect(after.images.map((i) => i.name)).toEqual(['c.png']);
  });
});
