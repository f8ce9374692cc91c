/** The smallest environment loadConfig accepts, and the problems it reports for another. */
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

/** The three required settings, valid. */
export const VALID_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_APP_TOKEN: 'xapp-1-abc',
  OPENAI_API_KEY: 'sk-testkey123456',
};

/** The problems loadConfig lists for `env`; fails the test when it accepts it. */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
