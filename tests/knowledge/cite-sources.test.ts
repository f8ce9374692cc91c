import { citeSources, createCitationFilter, formatPassages, NO_PASSAGES_NOTE, type Passage } from '../../src/knowledge';

const passage = (overrides: Partial<Passage>): Passage => ({
  docId: 'vpn/macos.md',
  path: '/docs/vpn/macos.md',
  title: 'VPN on macOS',
  headingPath: ['VPN on macOS', 'Certificate errors'],
  text: 'Run Renew device certificate in Self Service.',
  tokens: 9,
  ...overrides,
});

const mac = passage({ url: 'https://intranet.example.com/vpn-mac' });
const windows = passage({
  docId: 'vpn/windows.md',
  title: 'VPN on Windows',
  headingPath: ['VPN', 'Windows', 'Stuck connecting'],
  text: 'Disable and enable GlobalProtect.',
});
const install = passage({ headingPath: ['VPN on macOS', 'Installing'], text: 'Install from Self Service.' });

describe('formatPassages', () => {
  it('numbers the passages under their title and headings and tells the model how to cite and when to abstain', () => {
    const block = formatPassages([mac, windows]);
    expect(block).toContain('[1] VPN on macOS › Certificate errors\nRun Renew device certificate in Self Service.');
    expect(block).toContain('[2] VPN on Windows › VPN › Windows › Stuck connecting\nDisable and enable GlobalProtect.');
    expect(block).toMatch(/cite each excerpt you use as \[1\], \[2\]/i);
    expect(block).toMatch(/don't know/);
  });

  it('tells the model it found nothing when there are no passages', () => {
    expect(formatPassages([])).toBe(NO_PASSAGES_NOTE);
    expect(NO_PASSAGES_NOTE).toMatch(/don't know/);
  });
});

describe('citeSources', () => {
  it('lists the documents actually cited, in order of first citation, linked when they have a url', () => {
    const result = citeSources('Disable the VPN first [2]. Then renew the certificate [1].', [mac, windows, install]);
    expect(result.answer).toBe('Disable the VPN first [2]. Then renew the certificate [1].');
    expect(result.sources).toBe(
      '**Sources:** [2] VPN on Windows › VPN › Windows › Stuck connecting · [1] [VPN on macOS › Certificate errors](https://intranet.example.com/vpn-mac)',
    );
  });

  it('renders Slack mrkdwn links when asked', () => {
    const result = citeSources('Renew it [1].', [mac], 'mrkdwn');
    expect(result.sources).toBe(
      '*Sources:* [1] <https://intranet.example.com/vpn-mac|VPN on macOS › Certificate errors>',
    );
  });

  it('drops numbers the model made up, alone or inside a list, and keeps the real ones', () => {
    const result = citeSources('Renew the certificate [1][7]. Restart [3, 2]. Done [9].', [mac, windows]);
    expect(result.answer).toBe('Renew the certificate [1]. Restart [2]. Done.');
    expect(result.sources).toBe(
      '**Sources:** [1] [VPN on macOS › Certificate errors](https://intranet.example.com/vpn-mac) · [2] VPN on Windows › VPN › Windows › Stuck connecting',
    );
  });

  it('merges two excerpts of the same section into one source', () => {
    const second = passage({ text: 'Then restart.' });
    expect(citeSources('Renew [1] and restart [2].', [mac, { ...second, url: mac.url }]).sources).toBe(
      '**Sources:** [1][2] [VPN on macOS › Certificate errors](https://intranet.example.com/vpn-mac)',
    );
  });

  it('adds no Sources line when nothing real was cited, and leaves markdown links alone', () => {
    expect(citeSources('See [the portal](https://x.example.com) [4].', [mac])).toEqual({
      answer: 'See [the portal](https://x.example.com).',
    });
    expect(citeSources("I don't know.", [])).toEqual({ answer: "I don't know." });
  });
});

describe('createCitationFilter', () => {
  const answer = 'Renew the certificate [1][7]. Restart [3, 2]. See [the guide](https://x.example.com) [2]. Done [9]';
  const expected = citeSources(answer, [mac, windows]).answer;

  it.each([1, 2, 3, 5])('streams the same text citeSources returns, in deltas of %i characters', (size) => {
    const filter = createCitationFilter(2);
    let out = '';
    for (let i = 0; i < answer.length; i += size) out += filter.write(answer.slice(i, i + size));
    out += filter.end();
    expect(out).toBe(expected);
    expect(out).toBe('Renew the certificate [1]. Restart [2]. See [the guide](https://x.example.com) [2]. Done');
  });

  it('holds back only what may still become a citation', () => {
    const filter = createCitationFilter(2);
    expect(filter.write('Restart the Mac ')).toBe('Restart the Mac');
    expect(filter.write('now')).toBe(' now');
    expect(filter.write(' [')).toBe('');
    expect(filter.write('5] now')).toBe(' now');
  });
});
