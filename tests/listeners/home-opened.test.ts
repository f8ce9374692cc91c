import type { Context, ContextRegistry, SuggestedPrompt } from '../../src/conversation/context';
import { createHomeOpenedListener, REOFFER_AFTER_MS } from '../../src/listeners/events/home-opened';
import { makeContext } from '../helpers/contexts';
import { recordingLogger } from '../helpers/recording-logger';

const VPN: SuggestedPrompt[] = [{ title: 'VPN', message: 'Help me with the VPN' }];
const WIFI: SuggestedPrompt[] = [{ title: 'Wi-Fi', message: 'Help me with the Wi-Fi' }];

/** The listener with one context whose prompts `current` holds, and the prompts it offered, per DM. */
function setup(start: SuggestedPrompt[]) {
  let current = makeContext({ suggestedPrompts: start });
  const contexts: ContextRegistry = { forChannel: () => current, all: () => [current], close: () => undefined };
  const offered: { team: string; channel: string; prompts: SuggestedPrompt[] }[] = [];
  const side = {
    suggestPrompts: async (team: string, channel: string, prompts: SuggestedPrompt[]) => {
      offered.push({ team, channel, prompts });
    },
  };
  const listener = createHomeOpenedListener({ contexts, side, logger: recordingLogger() });
  const open = (channel: string, tab = 'messages') =>
    listener({
      event: { type: 'app_home_opened', user: 'U1', channel, tab, event_ts: '1.0' },
      body: { team_id: 'T1' },
    } as unknown as Parameters<typeof listener>[0]);
  const edit = (prompts: SuggestedPrompt[]) => {
    current = { ...current, suggestedPrompts: prompts } as Context;
  };
  return { open, edit, offered };
}

beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-29T09:00:00Z') }));
afterEach(() => jest.useRealTimers());

describe('opening the bot’s DM', () => {
  it('offers the context’s prompts in that DM, through the side writes (inside the write budget)', async () => {
    const { open, offered } = setup(VPN);
    await open('D1');
    expect(offered).toEqual([{ team: 'T1', channel: 'D1', prompts: VPN }]);
  });

  it('does not offer the same prompts again to someone going back and forth between tabs', async () => {
    const { open, offered } = setup(VPN);
    await open('D1');
    await open('D1', 'home');
    await open('D1');
    await open('D2');
    expect(offered.map((o) => o.channel)).toEqual(['D1', 'D2']);
    jest.advanceTimersByTime(REOFFER_AFTER_MS);
    await open('D1');
    expect(offered.map((o) => o.channel)).toEqual(['D1', 'D2', 'D1']);
  });

  it('offers edited prompts at once', async () => {
    const { open, edit, offered } = setup(VPN);
    await open('D1');
    edit(WIFI);
    await open('D1');
    expect(offered.map((o) => o.prompts)).toEqual([VPN, WIFI]);
  });

  it('offers nothing when the context has no prompts', async () => {
    const { open, offered } = setup([]);
    await open('D1');
    expect(offered).toEqual([]);
  });
});
