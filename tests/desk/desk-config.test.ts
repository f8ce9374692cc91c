import { loadConfig } from '../../src/config';

const required = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', OPENAI_API_KEY: 'sk-1' };

describe('the handoff webhook variable', () => {
  it('reads the variable a context names for its webhook from the same environment', () => {
    const config = loadConfig({ ...required, DESK_WEBHOOK_URL: ' https://hooks.example.com/x ' });
    expect(config.desk.webhookUrl('DESK_WEBHOOK_URL')).toBe('https://hooks.example.com/x');
    expect(config.desk.webhookUrl('OTHER_URL')).toBeUndefined();
  });
});
