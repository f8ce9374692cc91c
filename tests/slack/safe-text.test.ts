import { SafeTextStream, safeText } from '../../src/slack/safe-text';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

describe('safeText', () => {
  it('replaces tokens and keys as whole words, and leaves words that merely contain "sk-" alone', () => {
    expect(safeText(`use ${KEY} or xoxb-1234567890-abcdefghij, on the desk-booking-system`)).toBe(
      'use [redacted] or [redacted], on the desk-booking-system',
    );
  });

  it('mends a lone surrogate, which Slack would refuse', () => {
    expect(safeText('broken \uD83D here')).toBe('broken \uFFFD here');
  });
});

describe('SafeTextStream', () => {
  it('catches a key split across deltas, and lets ordinary text through as it comes', () => {
    const stream = new SafeTextStream();
    const out = [stream.push('Here is '), stream.push(KEY.slice(0, 10)), stream.push(`${KEY.slice(10)} done.`)];
    expect(out[0]).toBe('Here is ');
    expect(out.join('') + stream.flush()).toBe('Here is [redacted] done.');
  });

  it('holds back half a surrogate pair until its other half arrives', () => {
    const stream = new SafeTextStream();
    expect(stream.push('smile \uD83D')).toBe('smile ');
    expect(stream.push('\uDE00!')).toBe('\uD83D\uDE00!');
  });

  it('gives back what it held when the text ends', () => {
    const stream = new SafeTextStream();
    expect(stream.push('word')).toBe('');
    expect(stream.flush()).toBe('word');
  });
});
