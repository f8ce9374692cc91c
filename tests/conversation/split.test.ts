import {
  fenceCloser,
  fenceOpener,
  findSafeBreak,
  openFenceAt,
  splitMarkdown,
  splitPieces,
} from '../../src/conversation/split';

/** A small deterministic PRNG so failures reproduce from the seed in the test name. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['the', 'VPN', 'client', 'is', '**GlobalProtect**', '`sudo`', 'laptop', 'réseau', '🎉', 'naïve', 'x'];

function generateMarkdown(seed: number): string {
  const random = prng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(' ');
  const newline = random() < 0.1 ? '\r\n' : '\n';
  const blocks: string[] = [];
  const blockCount = 1 + Math.floor(random() * 25);
  for (let i = 0; i < blockCount; i++) {
    const kind = random();
    if (kind < 0.35) blocks.push(words(1 + Math.floor(random() * 120)));
    else if (kind < 0.5)
      blocks.push(Array.from({ length: 1 + Math.floor(random() * 8) }, () => `- ${words(5)}`).join(newline));
    else if (kind < 0.75) {
      const marker = pick(['```', '```', '~~~', '````']);
      const info = pick(['', 'ts', 'python', 'bash', 'json title="x"']);
      const indent = pick(['', '', '   ']);
      const lines = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, n) =>
        n % 7 === 3 && marker === '````' ? '```' : `${indent}  ${words(1 + Math.floor(random() * 12))}`,
      );
      const unclosed = i === blockCount - 1 && random() < 0.3;
      blocks.push([`${indent}${marker}${info}`, ...lines, ...(unclosed ? [] : [`${indent}${marker}`])].join(newline));
    } else if (kind < 0.85) blocks.push('y'.repeat(Math.floor(random() * 700)));
    else blocks.push(`## ${words(4)}`);
  }
  const separator = () => pick([newline, newline + newline, newline + newline + newline]);
  return blocks.reduce((text, block, n) => (n === 0 ? block : text + separator() + block), '');
}

function isInsideSurrogatePair(text: string, index: number): boolean {
  const high = text.charCodeAt(index - 1);
  const low = text.charCodeAt(index);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

describe('splitPieces on generated markdown', () => {
  const cases = Array.from({ length: 400 }, (_, seed) => seed);

  it.each(cases)('seed %i: pieces fit, join back exactly, and every cut code block is closed and reopened', (seed) => {
    const random = prng(seed * 7919 + 1);
    const text = generateMarkdown(seed);
    const limit = 80 + Math.floor(random() * 600);
    const pieces = splitPieces(text, limit);

    expect(pieces.map((piece) => piece.body).join('')).toBe(text);
    expect(splitMarkdown(text, limit)).toEqual(pieces.map((piece) => piece.reopen + piece.body + piece.close));

    let offset = 0;
    pieces.forEach((piece, n) => {
      const sent = piece.reopen + piece.body + piece.close;
      expect(sent.length).toBeLessThanOrEqual(limit);
      expect(piece.body.length).toBeGreaterThan(0);
      if (n < pieces.length - 1) expect(openFenceAt(sent)).toBeNull();
      if (n > 0) {
        expect(isInsideSurrogatePair(text, offset)).toBe(false);
        const openHere = openFenceAt(text.slice(0, offset));
        expect(piece.reopen).toBe(openHere ? fenceOpener(openHere) : '');
        expect(pieces[n - 1].close.trim()).toBe(openHere ? openHere.close.trim() : '');
      }
      offset += piece.body.length;
    });
  });
});

describe('splitMarkdown', () => {
  it('returns short text as one piece', () => {
    expect(splitMarkdown('hello', 100)).toEqual(['hello']);
    expect(splitMarkdown('', 100)).toEqual(['']);
  });

  it('cuts after a blank line rather than inside the paragraph', () => {
    const first = 'a'.repeat(60);
    const second = `${'b'.repeat(30)}\n${'c'.repeat(30)}`;
    expect(splitMarkdown(`${first}\n\n${second}`, 90)).toEqual([`${first}\n\n`, second]);
  });

  it('falls back to a line end, then a space, then a hard cut', () => {
    expect(splitMarkdown(`${'a'.repeat(70)}\n${'b'.repeat(40)}`, 90)).toEqual([`${'a'.repeat(70)}\n`, 'b'.repeat(40)]);
    expect(splitMarkdown(`${'a'.repeat(70)} ${'b'.repeat(40)}`, 90)).toEqual([`${'a'.repeat(70)} `, 'b'.repeat(40)]);
    expect(splitMarkdown('z'.repeat(250), 100)).toEqual(['z'.repeat(100), 'z'.repeat(100), 'z'.repeat(50)]);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    const pieces = splitMarkdown(`${'a'.repeat(99)}🎉🎉`, 100);
    expect(pieces[0]).toBe('a'.repeat(99));
    expect(pieces.join('')).toBe(`${'a'.repeat(99)}🎉🎉`);
  });

  it('keeps a code block whole when it fits in the next piece', () => {
    const intro = 'Run this:\n\n';
    const code = '```bash\nnpm install\nnpm test\n```\n';
    const pieces = splitMarkdown(`${'x'.repeat(60)}\n\n${intro}${code}`, 90);
    expect(pieces.some((piece) => piece.includes(code))).toBe(true);
  });

  it('closes a long code block at the cut and reopens it with the same info string', () => {
    const lines = Array.from({ length: 40 }, (_, n) => `const value${n} = ${n};`);
    const text = `Here:\n\n\`\`\`ts\n${lines.join('\n')}\n\`\`\`\nDone.`;
    const pieces = splitMarkdown(text, 200);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces.slice(0, -1)) expect(piece.endsWith('\n```')).toBe(true);
    for (const piece of pieces.slice(1)) expect(piece.startsWith('```ts\n')).toBe(true);
    expect(pieces.at(-1)!.endsWith('```\nDone.')).toBe(true);
  });

  it('rejects a limit below one character', () => {
    expect(() => splitMarkdown('abc', 0)).toThrow(RangeError);
  });
});

describe('findSafeBreak', () => {
  it('returns the whole text when it fits', () => {
    expect(findSafeBreak('abc', 10)).toEqual({ index: 3, fence: null });
    expect(findSafeBreak('```py\nx = 1\n', 100)).toEqual({ index: 12, fence: { open: '```py', close: '```' } });
  });

  it('reports the open fence at a cut inside a block and leaves room to close it', () => {
    const text = `\`\`\`ts\n${'let a = 1;\n'.repeat(20)}\`\`\`\n`;
    const cut = findSafeBreak(text, 100);
    expect(cut.fence).toEqual({ open: '```ts', close: '```' });
    expect(cut.index + fenceCloser(text.slice(0, cut.index), cut.fence!).length).toBeLessThanOrEqual(100);
    expect(text[cut.index - 1]).toBe('\n');
  });

  it('never returns a break before minIndex', () => {
    const text = `${'a'.repeat(20)}\n\n${'b'.repeat(100)}`;
    expect(findSafeBreak(text, 100).index).toBe(22);
    const cut = findSafeBreak(text, 100, 50);
    expect(cut.index).toBeGreaterThanOrEqual(50);
    expect(cut.index).toBeLessThanOrEqual(100);
  });
});

describe('openFenceAt', () => {
  it('tracks backtick and tilde fences, and longer fences that contain shorter ones', () => {
    expect(openFenceAt('text')).toBeNull();
    expect(openFenceAt('```\ncode\n```\n')).toBeNull();
    expect(openFenceAt('~~~yaml\na: 1\n')).toEqual({ open: '~~~yaml', close: '~~~' });
    expect(openFenceAt('````md\n```\ninner\n```\n')).toEqual({ open: '````md', close: '````' });
    expect(openFenceAt('  ```sh\nls\n')).toEqual({ open: '  ```sh', close: '  ```' });
    expect(openFenceAt('``` not`a fence\n')).toBeNull();
  });

  it('treats a trailing opening line as open, since anything appended after a newline lands in the block', () => {
    expect(openFenceAt('text\n```ts')).toEqual({ open: '```ts', close: '```' });
  });
});
