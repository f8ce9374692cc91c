import { createAttachmentResources, readAttachments, refetchImages } from '../../src/files/attachments';
import { describeAttachments } from '../../src/files/describe';
import { fileReferences } from '../../src/files/file-ref';
import { BOT_TOKEN, FileWorld, png } from '../helpers/file-world';
import { tinyPdf } from '../helpers/tiny-pdf';

let world: FileWorld;

beforeEach(async () => {
  world = await FileWorld.start();
});

afterEach(async () => {
  await world.close();
});

describe('readAttachments: what the model gets', () => {
  it('shows several images to the model as data: URLs, fetched with the bot token through the redirect', async () => {
    const first = png('first screenshot');
    const second = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.from('second photo')]);
    const files = world.attach(
      { name: 'error.png', mimetype: 'image/png', bytes: first },
      { name: 'photo.jpg', mimetype: 'image/jpeg', bytes: second },
    );
    const result = await readAttachments(files, world.deps());
    expect(result.images).toEqual([
      { name: 'error.png', mimetype: 'image/png', dataUrl: `data:image/png;base64,${first.toString('base64')}` },
      { name: 'photo.jpg', mimetype: 'image/jpeg', dataUrl: `data:image/jpeg;base64,${second.toString('base64')}` },
    ]);
    expect(result.unreadable).toEqual([]);
    const paths = world.slack.files.requests.map((r) => r.path.split('/')[1]);
    expect(paths.sort()).toEqual(['files-pri', 'files-pri', 'files-tmb', 'files-tmb']);
    expect(world.slack.files.requests.every((r) => r.authorization === `Bearer ${BOT_TOKEN}`)).toBe(true);
  });

  it('inlines text files and PDF text, cut to the token budget with a note, and lists what it could not read', async () => {
    const log = Array.from({ length: 4000 }, (_, i) => `2026-11-28 line ${i} ok`)
      .concat('FATAL disk full')
      .join('\n');
    const files = world.attach(
      { name: 'app.log', mimetype: 'text/plain', bytes: Buffer.from(log) },
      { name: 'config.json', mimetype: 'application/json', bytes: Buffer.from('{"retries": 3}') },
      { name: 'manual.pdf', mimetype: 'application/pdf', bytes: tinyPdf(['Printer error 0x61', 'Call the desk']) },
      {
        name: 'budget.xlsx',
        mimetype: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        bytes: Buffer.from('PK'),
      },
    );
    const result = await readAttachments(files, world.deps({}, { textTokenBudget: 1500 }));
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
    const files = world.attach({ name: 'shot.png', mimetype: 'image/png', bytes: png('s') });
    const result = await readAttachments(files, world.deps({ vision: false }));
    expect(world.slack.files.requests).toHaveLength(0);
    expect(describeAttachments(result)).toContain('"shot.png" (images cannot be read with this set-up)');
  });

  it('keeps images and files within the per-question caps, and refuses animated GIFs', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from('NETSCAPE2.0')]);
    const files = world.attach(
      { name: '1.png', mimetype: 'image/png', bytes: png('1') },
      { name: '2.png', mimetype: 'image/png', bytes: png('2') },
      { name: 'anim.gif', mimetype: 'image/gif', bytes: gif },
      { name: '3.png', mimetype: 'image/png', bytes: png('3') },
    );
    const result = await readAttachments(files, world.deps({}, { maxImagesPerRequest: 2, maxFilesPerMessage: 3 }));
    expect(result.images.map((i) => i.name)).toEqual(['1.png', '2.png']);
    expect(result.unreadable).toEqual([
      { name: 'anim.gif', reason: 'over the limit of 2 images per question' },
      { name: '3.png', reason: 'over the limit of 3 files per message' },
    ]);
  });

  it('fetches the thread’s most recent images again by id for a follow-up', async () => {
    const files = world.attach(
      { name: 'old.png', mimetype: 'image/png', bytes: png('old') },
      { name: 'notes.txt', mimetype: 'text/plain', bytes: Buffer.from('n') },
      { name: 'new.png', mimetype: 'image/png', bytes: png('new') },
    );
    const refs = fileReferences(files);
    expect(refs[0]).toEqual({ id: files[0].id, name: 'old.png', mimetype: 'image/png' });
    const result = await refetchImages(refs, world.deps(), 1);
    expect(result.images.map((i) => i.name)).toEqual(['new.png']);
    expect(world.slack.callsFor('files.info').map((c) => c.args.file)).toEqual([files[2].id]);
  });
});

describe('image memory', () => {
  it('makes a question wait for image memory held by earlier ones, and go on without images if it waits too long', async () => {
    world.resources = createAttachmentResources({ imageMemoryBytes: 64 * 1024 });
    const bytes = png('held', 16 * 1024);
    const first = await readAttachments(world.attach({ name: 'a.png', mimetype: 'image/png', bytes }), world.deps());
    expect(first.images).toHaveLength(1);
    const starved = await readAttachments(
      world.attach({ name: 'b.png', mimetype: 'image/png', bytes }),
      world.deps({}, { imageWaitMs: 20 }),
    );
    expect(starved.unreadable).toEqual([
      { name: 'b.png', reason: 'the bot is busy with many images; ask again in a moment' },
    ]);
    first.release();
    const after = await readAttachments(world.attach({ name: 'c.png', mimetype: 'image/png', bytes }), world.deps());
    expect(after.images.map((i) => i.name)).toEqual(['c.png']);
  });
});
