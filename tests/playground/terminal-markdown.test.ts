import { answerPrinter, lineRenderer } from '../../src/playground/terminal-markdown';

const ESC = '\x1b[';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what this strips
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function printed(deltas: string[], styled: boolean): string {
  let out = '';
  const printer = answerPrinter({ write: (text: string) => (out += text), columns: 80 }, styled);
  for (const delta of deltas) printer.write(delta);
  printer.end();
  return out;
}

describe('terminal markdown', () => {
  it('styles headings, bold, code and lists, and shows links with their address', () => {
    const render = lineRenderer();
    expect(render('# Reset')).toBe(`${ESC}1m${ESC}4mReset${ESC}24m${ESC}22m`);
    expect(render('Open **Self Service** now')).toBe(`Open ${ESC}1mSelf Service${ESC}22m now`);
    expect(plain(render('- run `sudo **x**`'))).toBe('• run sudo **x**');
    expect(plain(render('See [the portal](https://help.example.com).'))).toBe(
      'See the portal (https://help.example.com).',
    );
  });

  it('leaves fenced code as written', () => {
    const render = lineRenderer();
    expect(plain(render('```'))).toBe('```');
    expect(plain(render('**not bold** # not a heading'))).toBe('**not bold** # not a heading');
    expect(plain(render('```'))).toBe('```');
    expect(plain(render('**bold**'))).toBe('bold');
  });

  it('streams each line raw and redraws it styled once it ends', () => {
    const out = printed(['Use **Self', ' Service**\nthen ', 'restart.'], true);
    // The raw text appears as it arrives, then the finished line is redrawn styled.
    expect(out.startsWith('Use **Self Service**\r')).toBe(true);
    expect(out).toContain(`Use ${ESC}1mSelf Service${ESC}22m\n`);
    expect(plain(out).endsWith('then restart.\rthen restart.')).toBe(true);
  });

  it('redraws in place on a terminal that reports no width', () => {
    let out = '';
    const printer = answerPrinter({ write: (text: string) => (out += text), columns: 0 }, true);
    printer.write('# Title\n');
    expect(out).toBe(`# Title\r${ESC}J${ESC}1m${ESC}4mTitle${ESC}24m${ESC}22m\n`);
  });

  it('prints the text unchanged when not styled (not a terminal, or NO_COLOR)', () => {
    expect(printed(['# Title\n', 'Use **bold**'], false)).toBe('# Title\nUse **bold**');
  });
});
