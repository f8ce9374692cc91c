import { createLogger } from '../../src/logger';
import { LogCapture } from '../e2e/harness';

const TOKEN = 'xoxb-111-222-secretbottoken';

describe('log formats', () => {
  it('writes one JSON object per line in json format, redacted', () => {
    const out = new LogCapture();
    const logger = createLogger('info', out, 'json');
    logger.info('answered', { ts: '1700000000.000100', ms: 812, note: `token ${TOKEN}` });
    expect(out.lines).toHaveLength(1);
    const entry = JSON.parse(out.lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', message: 'answered', ts: '1700000000.000100', ms: 812 });
    expect(typeof entry.timestamp).toBe('string');
    expect(out.lines[0]).not.toContain(TOKEN);
  });

  it('writes one readable line in text format: time, level, message, key=value…, redacted', () => {
    const out = new LogCapture();
    const logger = createLogger('info', out, 'text');
    logger.warn('store slow', { op: 'load', ms: 1200, error: `failed with ${TOKEN}`, detail: { tries: 2 } });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}store slow op=load ms=1200 error="failed with \S+" detail=\{"tries":2\}$/,
    );
    expect(out.lines[0]).not.toContain(TOKEN);
    expect(() => JSON.parse(out.lines[0])).toThrow();
  });

  it('keeps a multi-line message on one line in text format', () => {
    const out = new LogCapture();
    createLogger('info', out, 'text').error('failed\n    at somewhere');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toContain('failed\\n    at somewhere');
  });

  it('drops lines below the level in both formats', () => {
    for (const format of ['json', 'text'] as const) {
      const out = new LogCapture();
      createLogger('warn', out, format).info('quiet');
      expect(out.lines).toEqual([]);
    }
  });
});
