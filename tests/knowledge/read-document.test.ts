import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDocument, UnreadableDocument } from '../../src/knowledge/read-document';
import { scratchDir } from '../helpers/scratch-dir';

const dir = scratchDir('knowledge-read');
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('readDocument', () => {
  it('reads markdown front matter and keeps the heading path of every section', async () => {
    const file = write(
      'vpn.md',
      [
        '---',
        'title: VPN guide',
        'url: https://intranet.example.com/vpn',
        '---',
        '# VPN',
        'Intro.',
        '## macOS',
        'Install from Self Service.',
        '### Certificate errors',
        'Renew the device certificate.',
        '```',
        '# not a heading inside code',
        '```',
        '## Windows',
        'Install from Company Portal.',
      ].join('\n'),
    );
    const doc = await readDocument(file);
    expect(doc.title).toBe('VPN guide');
    expect(doc.url).toBe('https://intranet.example.com/vpn');
    expect(doc.sections.map((s) => s.headingPath.join(' › '))).toEqual([
      'VPN',
      'VPN › macOS',
      'VPN › macOS › Certificate errors',
      'VPN › Windows',
    ]);
    expect(doc.sections[2].text).toContain('# not a heading inside code');
  });

  it('titles a markdown file without front matter by its first heading', async () => {
    const doc = await readDocument(write('printers.md', '# Printing\n\nTap your badge.'));
    expect(doc.title).toBe('Printing');
    expect(doc.url).toBeUndefined();
  });

  it('reads plain text, taking title and url from its .meta.yml sidecar', async () => {
    const file = write('lost-device.txt', 'Call security at once.\n\nIT locks the laptop.');
    write('lost-device.txt.meta.yml', 'title: Lost or stolen device\nurl: https://intranet.example.com/lost\n');
    const doc = await readDocument(file);
    expect(doc).toEqual({
      title: 'Lost or stolen device',
      url: 'https://intranet.example.com/lost',
      sections: [{ headingPath: [], text: 'Call security at once.\n\nIT locks the laptop.' }],
    });
  });

  it('titles a text file without a sidecar by its name', async () => {
    expect((await readDocument(write('guest_wifi-vouchers.txt', 'Vouchers last a day.'))).title).toBe(
      'Guest wifi vouchers',
    );
  });

  it('reads HTML: <title>, canonical link, headings kept, scripts and tags dropped, entities decoded', async () => {
    const file = write(
      'meetings.html',
      `<html><head><title>Meeting rooms</title><link rel="canonical" href="https://intranet.example.com/rooms">
       <script>var secret = 1;</script></head><body><nav>Home</nav><h1>Rooms</h1><p>Book in <b>Calendar</b>.</p>
       <h2>Audio &amp; video</h2><ul><li>Mute laptops</li><li>Use the room mic</li></ul></body></html>`,
    );
    const doc = await readDocument(file);
    expect(doc.title).toBe('Meeting rooms');
    expect(doc.url).toBe('https://intranet.example.com/rooms');
    expect(doc.sections).toEqual([
      { headingPath: ['Rooms'], text: 'Book in Calendar.' },
      { headingPath: ['Rooms', 'Audio & video'], text: '- Mute laptops\n- Use the room mic' },
    ]);
  });

  it('reads a PDF through the injected reader, with its sidecar metadata', async () => {
    const file = write('policy.pdf', '%PDF-1.7 fake bytes');
    write('policy.pdf.meta.yml', 'title: Acceptable use policy\n');
    const seen: number[] = [];
    const doc = await readDocument(file, async (bytes) => {
      seen.push(bytes.length);
      return 'Company laptops are for work.';
    });
    expect(seen).toEqual([Buffer.byteLength('%PDF-1.7 fake bytes')]);
    expect(doc.title).toBe('Acceptable use policy');
    expect(doc.sections[0].text).toBe('Company laptops are for work.');
  });

  it('reports a PDF as unreadable when there is no PDF reader or the reader fails', async () => {
    const file = write('scan.pdf', '%PDF-1.7');
    await expect(readDocument(file)).rejects.toBeInstanceOf(UnreadableDocument);
    await expect(
      readDocument(file, async () => {
        throw new Error('bad xref');
      }),
    ).rejects.toThrow('the PDF cannot be read');
  });

  it('reports markdown with broken front matter as unreadable', async () => {
    await expect(readDocument(write('bad.md', '---\ntitle: [oops\n---\n# Body'))).rejects.toThrow(
      'its front matter is not valid YAML',
    );
  });
});
