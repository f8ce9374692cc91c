import { countTokens } from '../../src/conversation/tokens';
import { describeAttachments } from '../../src/files/describe';
import { decodeText, fenceFor, fitToTokenBudget } from '../../src/files/text-inline';

describe('fitToTokenBudget', () => {
  it('keeps a text that fits whole', () => {
    expect(fitToTokenBudget('short log line', 100)).toEqual({ text: 'short log line', truncated: false });
  });

  it('cuts a long text to the budget, keeping its start and its end with a marker between', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `INFO request ${i} served in ${i % 97} ms`);
    const text = ['BOOT started', ...lines, 'ERROR out of memory'].join('\n');
    const cut = fitToTokenBudget(text, 500);
    expect(cut.truncated).toBe(true);
    expect(countTokens(cut.text)).toBeLessThanOrEqual(500);
    expect(cut.text.startsWith('BOOT started')).toBe(true);
    expect(cut.text.endsWith('ERROR out of memory')).toBe(true);
    expect(cut.text).toContain('[… the middle of the file was cut to fit …]');
  });
});

describe('decodeText', () => {
  it('reads UTF-8 (dropping a BOM) and UTF-16 with a byte-order mark', () => {
    expect(decodeText(Buffer.from('\uFEFFcafé\r\nbar'))).toBe('café\nbar');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hé', 'utf16le')]))).toBe('hé');
  });
});

describe('describeAttachments', () => {
  it('fences a file that contains backticks with a longer fence so it cannot break out', () => {
    const text = 'before\n```\nnot the end\n```\nafter';
    expect(fenceFor(text)).toBe('````');
    const prompt = describeAttachments({
      images: [],
      unreadable: [],
      texts: [{ name: 'x.md', text, truncated: false }],
    });
    expect(prompt).toBe(`Attached file "x.md":\n\`\`\`\`\n${text}\n\`\`\`\``);
  });

  it('names the images shown and the files it could not read; says nothing without files', () => {
    const prompt = describeAttachments({
      images: [{ name: 'a.png', mimetype: 'image/png', dataUrl: 'data:image/png;base64,AAAA' }],
      texts: [],
      unreadable: [{ name: 'v.mp4', reason: 'videos are not read' }],
    });
    expect(prompt).toContain('Attached images, in order: "a.png".');
    expect(prompt).toContain('Files you could not read: "v.mp4" (videos are not read).');
    expect(prompt).not.toContain('data:');
    expect(describeAttachments({ images: [], texts: [], unreadable: [] })).toBe('');
  });
});
