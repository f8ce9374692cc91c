import { Writable } from 'node:stream';
import { createLogger, toSlackLogger } from '../src/logger';

function capture(level = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger(level, stream) };
}

const TOKEN = 'xoxb-1111111111-2222222222-abcdefghijkl';
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('logger', () => {
  it('redacts a token however deep in the fields it is', async () => {
    const { lines, logger } = capture();
    let nested: Record<string, unknown> = { token: TOKEN };
    for (let i = 0; i < 12; i++) nested = { inner: nested };
    logger.info('deep', { nested, list: [[[[[[[[[TOKEN]]]]]]]]] });
    await flush();
    expect(lines.join('')).not.toContain('abcdefghijkl');
  });

  it('redacts bearer headers and keys, and leaves ordinary hyphenated words alone', async () => {
    const { lines, logger } = capture();
    logger.warn('call failed', { header: 'Bearer abcdefghijklmnop', note: 'book on desk-booking-system' });
    await flush();
    const line = lines.join('');
    expect(line).not.toContain('abcdefghijklmnop');
    expect(line).toContain('desk-booking-system');
  });

  it('leaves out lines below the level, and writes them once the level is lowered at run time', async () => {
    const { lines, logger } = capture('info');
    logger.debug('hidden detail');
    logger.info('shown');
    await flush();
    expect(lines.join('')).not.toContain('hidden detail');
    expect(lines.join('')).toContain('shown');
    logger.level = 'debug';
    logger.debug('now shown detail');
    logger.level = 'warn';
    logger.info('hidden again');
    await flush();
    expect(lines.join('')).toContain('now shown detail');
    expect(lines.join('')).not.toContain('hidden again');
  });

  it("passes the Slack clients' debug lines only while debug is on, following run-time changes", async () => {
    const { lines, logger } = capture('info');
    const slack = toSlackLogger(logger);
    slack.debug('http request body: first');
    logger.level = 'debug';
    slack.debug('http request body: second');
    logger.level = 'info';
    slack.debug('http request body: third');
    await flush();
    const text = lines.join('');
    expect(text).not.toContain('first');
    expect(text).toContain('second');
    expect(text).not.toContain('third');
  });
});
