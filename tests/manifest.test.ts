import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Every bot scope the app may ask for. Adding one means changing this list: make it deliberate. */
const ALLOWED_SCOPES = [
  'app_mentions:read',
  'assistant:write',
  'channels:history',
  'chat:write',
  'files:read',
  'groups:history',
  'im:history',
  'mpim:history',
  'users:read',
];

/** Every event the app may subscribe to, for the same reason. */
const ALLOWED_EVENTS = [
  'app_home_opened',
  'app_mention',
  'message.channels',
  'message.groups',
  'message.im',
  'message.mpim',
];

interface Manifest {
  display_information: { name: string; description: string; background_color: string };
  features: {
    app_home: { home_tab_enabled: boolean; messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
    bot_user: { display_name: string; always_online: boolean };
    agent_view: { agent_description: string; suggested_prompts: { title: string; message: string }[] };
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; user_events?: string[] };
    interactivity: { is_enabled: boolean };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const manifest = parse(readFileSync(path.join(__dirname, '../manifest.yml'), 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it('runs over Socket Mode with interactivity on and no rotation or org-wide install', () => {
    expect(manifest.settings).toMatchObject({
      socket_mode_enabled: true,
      interactivity: { is_enabled: true },
      org_deploy_enabled: false,
      token_rotation_enabled: false,
    });
  });

  it('lets people DM the bot in the Messages tab, without a Home tab', () => {
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: false,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('subscribes to mentions and DMs, and only to allowed events', () => {
    const events = manifest.settings.event_subscriptions.bot_events;
    expect(events).toEqual(expect.arrayContaining(['app_mention', 'message.im']));
    expect(events.filter((event) => !ALLOWED_EVENTS.includes(event))).toEqual([]);
    expect(new Set(events).size).toBe(events.length);
    expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
  });

  it('asks for the scopes it needs and nothing outside the allow list', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect(scopes).toEqual(expect.arrayContaining(['chat:write', 'app_mentions:read']));
    expect(scopes.filter((scope) => !ALLOWED_SCOPES.includes(scope))).toEqual([]);
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('may read the files people attach (screenshots, logs, PDFs), and only read them', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect(scopes).toContain('files:read');
    expect(scopes).not.toContain('files:write');
  });

  it('has a scope for every message event it subscribes to', () => {
    const needs: Record<string, string> = {
      app_mention: 'app_mentions:read',
      'message.channels': 'channels:history',
      'message.groups': 'groups:history',
      'message.im': 'im:history',
      'message.mpim': 'mpim:history',
    };
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      if (needs[event]) expect(manifest.oauth_config.scopes.bot).toContain(needs[event]);
    }
  });

  it('stays within Slack limits for names, descriptions and the agent view', () => {
    const { display_information: display, features } = manifest;
    expect(display.name).toBe('Support Bot');
    expect(display.name.length).toBeLessThanOrEqual(35);
    expect(display.description.length).toBeLessThanOrEqual(140);
    expect(display.background_color).toMatch(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
    expect(features.bot_user).toEqual({
      display_name: expect.stringMatching(/^[a-z0-9._-]{1,80}$/),
      always_online: true,
    });
    expect(features.agent_view.agent_description.length).toBeGreaterThan(0);
    expect(features.agent_view.agent_description.length).toBeLessThanOrEqual(300);
    expect(features.agent_view.suggested_prompts.length).toBeGreaterThan(0);
    expect(features.agent_view.suggested_prompts.length).toBeLessThanOrEqual(4);
    for (const prompt of features.agent_view.suggested_prompts) {
      expect(prompt).toEqual({ title: expect.any(String), message: expect.any(String) });
    }
  });
});
