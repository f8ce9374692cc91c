import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-abc', OPENAI_API_KEY: 'sk-testkey123456' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('operations settings', () => {
  it('keeps the ops server off and local by default, and logs readable text outside production', () => {
    const config = loadConfig(valid, '/srv/bot');
    expect(config.http).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(config.logFormat).toBe('text');
    expect(config.modelPricesFile).toBeUndefined();
  });

  it('logs JSON under NODE_ENV=production unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({ ...valid, NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ ...valid, NODE_ENV: 'production', LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(loadConfig({ ...valid, LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('reads the ops server address and the price file (relative to the working directory)', () => {
    const config = loadConfig(
      { ...valid, HTTP_PORT: '9464', HTTP_HOST: '0.0.0.0', MODEL_PRICES_FILE: 'prices.json' },
      '/srv/bot',
    );
    expect(config.http).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(config.modelPricesFile).toBe('/srv/bot/prices.json');
  });

  it('names each wrong operations setting', () => {
    const found = problems({ ...valid, HTTP_PORT: '80000', HTTP_HOST: 'http://x y', LOG_FORMAT: 'xml' });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HTTP_PORT must be a port number/),
        expect.stringMatching(/^HTTP_HOST must be a host name or IP address/),
        'LOG_FORMAT must be json or text',
      ]),
    );
    expect(problems({ ...valid, HTTP_PORT: 'nine' })).toEqual([expect.stringMatching(/^HTTP_PORT/)]);
  });
});
