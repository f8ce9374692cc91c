import { loadConfig, loadModelConfig } from '../src/config';
import type { ConfigError } from '../src/errors';
import { configProblems, VALID_ENV } from './helpers/config-env';

const valid = VALID_ENV;
const problems = configProblems;

describe('loadConfig', () => {
  it('applies defaults for everything but the three secrets', () => {
    const config = loadConfig(valid, '/srv/bot');
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.openai).toMatchObject({ model: 'gpt-5.4-mini', api: 'responses', maxRetries: 2 });
    expect(config.storeUrl).toBe('sqlite://data/threads.db');
    expect(config.contextsDir).toBe('/srv/bot/contexts');
    expect(config.history.retentionMs).toBe(30 * 24 * 3600 * 1000);
    expect(config.claimTtlMs).toBeGreaterThanOrEqual(10 * 60 * 1000);
  });

  it('names every problem in one error, each with its variable', () => {
    const found = problems({
      SLACK_BOT_TOKEN: 'xapp-wrong',
      OPENAI_API: 'completions',
      STORE_URL: 'mysql://x',
      HISTORY_RETENTION_DAYS: 'soon',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
        'SLACK_APP_TOKEN is required (an app-level token starting with xapp-)',
        expect.stringContaining('OPENAI_API_KEY is required'),
        'OPENAI_API must be responses or chat',
        expect.stringContaining('STORE_URL must start with'),
        'HISTORY_RETENTION_DAYS must be a whole number from 1 to 3650',
      ]),
    );
    expect(found).toHaveLength(6);
  });

  it('never echoes a secret value in its message', () => {
    let message = '';
    try {
      loadConfig({ ...valid, SLACK_APP_TOKEN: 'xoxb-secret-value', OPENAI_BASE_URL: 'not a url' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SLACK_APP_TOKEN must be an app-level token starting with xapp-');
    expect(message).toContain('OPENAI_BASE_URL must be an http(s) URL');
    expect(message).not.toContain('secret-value');
  });

  it('reads the Slack write budget: posts a minute, and how far and how soon allowances grow after 429s', () => {
    expect(loadConfig(valid).slackBudget).toEqual({
      posts: { limit: 300, windowMs: 60_000 },
      learning: { ceilingFactor: 1, growAfterMs: 600_000 },
    });
    const tuned = loadConfig({
      ...valid,
      SLACK_POSTS_PER_MINUTE: '500',
      SLACK_BUDGET_CEILING_PERCENT: '150',
      SLACK_BUDGET_GROW_AFTER_SECONDS: '120',
    });
    expect(tuned.slackBudget).toEqual({
      posts: { limit: 500, windowMs: 60_000 },
      learning: { ceilingFactor: 1.5, growAfterMs: 120_000 },
    });
    expect(problems({ ...valid, SLACK_BUDGET_CEILING_PERCENT: '50' })).toEqual([
      'SLACK_BUDGET_CEILING_PERCENT must be a whole number from 100 to 1000',
    ]);
  });

  it('reads images and files by default, within caps that can be set', () => {
    expect(loadConfig(valid).files).toEqual({
      vision: true,
      maxFileBytes: 20 * 1024 * 1024,
      maxFilesPerMessage: 10,
      maxImagesPerRequest: 8,
      textTokenBudget: 8_000,
    });
    const set = loadConfig({ ...valid, OPENAI_VISION: 'false', MAX_FILE_MB: '5', MAX_IMAGES_PER_REQUEST: '2' });
    expect(set.files).toMatchObject({ vision: false, maxFileBytes: 5 * 1024 * 1024, maxImagesPerRequest: 2 });
    expect(problems({ ...valid, MAX_FILE_MB: '500' })).toEqual(['MAX_FILE_MB must be a whole number from 1 to 50']);
  });

  it('reads the knowledge settings: hybrid search only when an embedding model is named', () => {
    expect(loadConfig(valid, '/srv/bot').knowledge).toEqual({
      tokenBudget: 3_000,
      embeddingModel: undefined,
      cacheDir: '/srv/bot/data/knowledge-cache',
    });
    const set = {
      KNOWLEDGE_TOKEN_BUDGET: '1500',
      OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small',
      KNOWLEDGE_CACHE_DIR: '/c',
    };
    expect(loadConfig({ ...valid, ...set }).knowledge).toEqual({
      tokenBudget: 1_500,
      embeddingModel: 'text-embedding-3-small',
      cacheDir: '/c',
    });
    expect(problems({ ...valid, KNOWLEDGE_TOKEN_BUDGET: '10' })).toEqual([
      'KNOWLEDGE_TOKEN_BUDGET must be a whole number from 200 to 100000',
    ]);
  });

  it('honours SLACK_API_URL for GovSlack-style or loopback servers', () => {
    const config = loadConfig({ ...valid, SLACK_API_URL: 'http://127.0.0.1:9999/api' });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
  });
});

describe('loadModelConfig', () => {
  it('needs no Slack token and reads the model settings exactly as loadConfig does', () => {
    const env = { OPENAI_API_KEY: 'local', OPENAI_API: 'chat', HISTORY_TOKEN_BUDGET: '4000', CONTEXTS_DIR: 'ctx' };
    const model = loadModelConfig(env, '/srv/bot');
    const full = loadConfig({ ...valid, ...env }, '/srv/bot');
    expect(model).toEqual({
      openai: full.openai,
      contextsDir: '/srv/bot/ctx',
      history: { tokenBudget: 4000 },
      knowledge: full.knowledge,
    });
  });

  it('names only what the model needs when it is missing', () => {
    let problems: string[] = [];
    try {
      loadModelConfig({ SLACK_BOT_TOKEN: 'not-a-token' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual(['OPENAI_API_KEY is required (any non-empty value for servers that need no key)']);
  });
});
