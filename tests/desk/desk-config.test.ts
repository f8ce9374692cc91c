import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const required = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', OPENAI_API_KEY: 'sk-1' };

describe('DESK_ADMINS and the handoff webhook variable', () => {
  it('reads a comma-separated list of user ids, spaces allowed, duplicates dropped', () => {
    const config = loadConfig({ ...required, DESK_ADMINS: ' U0ADMIN, W0BOSS ,U0ADMIN' });
    expect(config.desk.admins).toEqual(['U0ADMIN', 'W0BOSS']);
    expect(loadConfig(required).desk.admins).toEqual([]);
  });

  it('names what is not a user id', () => {
    expect(() => loadConfig({ ...required, DESK_ADMINS: 'U0ADMIN,@alice' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...required, DESK_ADMINS: 'U0ADMIN,@alice' })).toThrow(/DESK_ADMINS.*@alice/);
  });

  it('reads the variable a context names for its webhook from the same environment', () => {
    const config = loadConfig({ ...required, DESK_WEBHOOK_URL: ' https://hooks.example.com/x ' });
    expect(config.desk.webhookUrl('DESK_WEBHOOK_URL')).toBe('https://hooks.example.com/x');
    expect(config.desk.webhookUrl('OTHER_URL')).toBeUndefined();
  });
});
