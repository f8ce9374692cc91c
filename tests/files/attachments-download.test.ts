import { createAttachmentResources, readAttachments, SCOPE_HINT } from '../../src/files/attachments';
import { BOT_TOKEN, FileWorld, png } from '../helpers/file-world';

let world: FileWorld;

beforeEach(async () => {
  world = await FileWorld.start();
});

afterEach(async () => {
  await world.close();
});

describe('readAttachments: downloading safely', () => {
  it('never fetches a file on a foreign host, so the token never leaves for it', async () => {
    const files = world.attach({
      name: 'x.png',
      mimetype: 'image/png',
      bytes: png('x'),
      downloadUrl: `${world.foreignUrl}/x.png`,
    });
    const result = await readAttachments(files, world.deps());
    expect(world.foreignRequests).toHaveLength(0);
    expect(result.images).toEqual([]);
    expect(result.unreadable).toEqual([{ name: 'x.png', reason: 'it is not stored on Slack' }]);
  });

  it('does not follow a redirect to a foreign host', async () => {
    const files = world.attach({
      name: 'y.png',
      mimetype: 'image/png',
      bytes: png('y'),
      redirectTo: `${world.foreignUrl}/y.png`,
    });
    const result = await readAttachments(files, world.deps());
    expect(world.slack.files.requests).toHaveLength(1);
    expect(world.foreignRequests).toHaveLength(0);
    expect(result.unreadable).toEqual([{ name: 'y.png', reason: 'it is not stored on Slack' }]);
  });

  it('without files:read, spots the sign-in page, says so in one log line and goes on without the files', async () => {
    world.slack.files.noFilesRead = true;
    const files = world.attach(
      { name: 'a.png', mimetype: 'image/png', bytes: png('a') },
      { name: 'b.log', mimetype: 'text/plain', bytes: Buffer.from('line one\n') },
    );
    const result = await readAttachments(files, world.deps());
    expect(result.images).toEqual([]);
    expect(result.texts).toEqual([]);
    expect(result.unreadable.map((f) => f.name)).toEqual(['a.png', 'b.log']);
    expect(world.logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      SCOPE_HINT,
    ]);
    expect(SCOPE_HINT).toContain('add files:read');
  });

  it('refuses a file whose first bytes are not its declared type, without blaming the scope', async () => {
    const files = world.attach({
      name: 'fake.png',
      mimetype: 'image/png',
      bytes: Buffer.from('MZ\x90 not a png at all'),
    });
    const result = await readAttachments(files, world.deps());
    expect(result.unreadable).toEqual([{ name: 'fake.png', reason: 'its content does not match its type' }]);
    expect(world.logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('gives up on a download that takes longer than its time limit, and the answer goes on', async () => {
    const files = world.attach(
      {
        name: 'slow.png',
        mimetype: 'image/png',
        bytes: Buffer.concat([png('slow'), Buffer.alloc(200_000)]),
        stall: true,
      },
      { name: 'ok.txt', mimetype: 'text/plain', bytes: Buffer.from('fine') },
    );
    const result = await readAttachments(files, world.deps({}, { downloadTimeoutMs: 300 }));
    expect(result.unreadable).toEqual([{ name: 'slow.png', reason: 'it could not be downloaded' }]);
    expect(result.texts.map((t) => t.name)).toEqual(['ok.txt']);
    expect(world.logger.lines).toContainEqual(
      expect.objectContaining({ meta: expect.objectContaining({ reason: 'timeout' }) }),
    );
  });

  it('stops reading mid-stream at the size cap when the declared size lied', async () => {
    const big = Buffer.concat([png('big', 64), Buffer.alloc(4 * 1024 * 1024, 1)]);
    const files = world.attach({
      name: 'big.png',
      mimetype: 'image/png',
      bytes: big,
      chunked: true,
      declaredSize: 1000,
    });
    const result = await readAttachments(files, world.deps({}, { maxFileBytes: 512 * 1024 }));
    expect(result.unreadable).toEqual([{ name: 'big.png', reason: 'too large (over 0.5 MB)' }]);
    const served = world.slack.files.requests.find((r) => r.path.startsWith('/files-tmb'));
    expect(served?.completed).toBe(false);
    expect(served?.bytesSent).toBeLessThan(big.length);
  });

  it('does not download a file whose declared size is over the cap, nor unsupported kinds', async () => {
    const files = world.attach(
      { name: 'huge.png', mimetype: 'image/png', bytes: png('h'), declaredSize: 30 * 1024 * 1024 },
      { name: 'clip.mp4', mimetype: 'video/mp4', bytes: Buffer.from('video') },
      { name: 'logs.zip', mimetype: 'application/zip', bytes: Buffer.from('PK') },
    );
    const result = await readAttachments(files, world.deps());
    expect(world.slack.files.requests).toHaveLength(0);
    expect(result.unreadable).toEqual([
      { name: 'huge.png', reason: 'too large (over 20 MB)' },
      { name: 'clip.mp4', reason: 'videos are not read' },
      { name: 'logs.zip', reason: 'archives are not read' },
    ]);
  });

  it('gets Slack Connect files through files.info', async () => {
    const bytes = png('connect');
    const files = world.attach({ name: 'shared.png', mimetype: 'image/png', bytes, connect: true });
    expect(files[0]).toMatchObject({ file_access: 'check_file_info' });
    expect(files[0].url_private_download).toBeUndefined();
    const result = await readAttachments(files, world.deps());
    expect(world.slack.callsFor('files.info')).toHaveLength(1);
    expect(result.images.map((i) => i.dataUrl)).toEqual([`data:image/png;base64,${bytes.toString('base64')}`]);
  });

  it('runs at most the configured number of downloads at once', async () => {
    world.resources = createAttachmentResources({ downloads: 2 });
    const inputs = Array.from({ length: 6 }, (_, i) => ({
      name: `log-${i}.txt`,
      mimetype: 'text/plain',
      bytes: Buffer.alloc(256 * 1024, 0x61 + i),
      chunked: true,
    }));
    const result = await readAttachments(world.attach(...inputs), world.deps({}, { textTokenBudget: 600 }));
    expect(result.texts).toHaveLength(6);
    expect(world.slack.files.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('never logs file contents or data: URLs, at any level', async () => {
    const secret = 'TOP-SECRET-PAYLOAD-4711';
    world.slack.files.noFilesRead = false;
    const files = world.attach(
      { name: 'a.png', mimetype: 'image/png', bytes: png(secret) },
      { name: 'b.txt', mimetype: 'text/plain', bytes: Buffer.from(secret) },
      { name: 'c.png', mimetype: 'image/png', bytes: png(secret), downloadUrl: `${world.foreignUrl}/c.png` },
      { name: 'd.png', mimetype: 'image/png', bytes: Buffer.from(secret) },
    );
    const result = await readAttachments(files, world.deps());
    expect(result.images).toHaveLength(1);
    expect(world.logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(world.logger.lines)).not.toContain(secret);
    expect(JSON.stringify(world.logger.lines)).not.toContain(png(secret).toString('base64').slice(0, 40));
    expect(JSON.stringify(world.logger.lines)).not.toContain('data:');
    expect(JSON.stringify(world.logger.lines)).not.toContain(BOT_TOKEN);
  });
});
