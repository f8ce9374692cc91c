import { createGate } from '../../src/answering/admission';
import type { RepliesReader, ThreadMessage } from '../../src/answering/thread-history';
import { MEMBERS_ONLY, REFUSALS } from '../../src/answering/wording';
import type { IncomingMessage } from '../../src/conversation/incoming';
import { MemberDirectory } from '../../src/slack/member-directory';
import { makeContext } from '../helpers/contexts';
import { recordingLogger } from '../helpers/recording-logger';

const BOT = 'UBOT';
const GUEST = 'U0GUEST';

function message(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    source: 'message',
    team: 'T1',
    channel: 'C1',
    channelType: 'channel',
    user: 'U1',
    text: 'hi',
    ts: '2.0',
    ...overrides,
  };
}

/** A gate over a store that knows `answeredThreads` (or is down) and a Slack thread of `slackThread`. */
function gate(options: {
  answeredThreads?: string[];
  storeDown?: boolean;
  slackThread?: ThreadMessage[];
  dmMembersOnly?: boolean;
}) {
  const lookups: string[] = [];
  const slack: RepliesReader = {
    conversations: { replies: async () => ({ messages: options.slackThread ?? [] }) },
  };
  const members = new MemberDirectory({
    users: { info: async ({ user }) => ({ user: { is_restricted: user === GUEST } }) },
  });
  const history = {
    has: async (key: string) => {
      lookups.push(key);
      if (options.storeDown) throw new Error('connection refused');
      return (options.answeredThreads ?? []).includes(key);
    },
  };
  const access = { allowExternalUsers: false, dmMembersOnly: options.dmMembersOnly ?? false };
  return { lookups, gate: createGate({ botUserId: BOT, access, history, slack, members, logger: recordingLogger() }) };
}

describe('the gate', () => {
  const context = makeContext();

  it('takes an un-mentioned reply as a follow-up only in a thread the bot answered, with one existence check', async () => {
    const { gate: answered, lookups } = gate({ answeredThreads: ['T1:C1:1.0'] });
    expect(await answered.check(message({ threadTs: '1.0' }), context)).toMatchObject({
      admit: true,
      why: 'follow-up',
    });
    expect(lookups).toEqual(['T1:C1:1.0']);
    expect(await answered.check(message({ threadTs: '1.5' }), context)).toMatchObject({ admit: false });
  });

  it('while the store is down, asks Slack whether the bot took part in the thread', async () => {
    const botThere = gate({
      storeDown: true,
      slackThread: [
        { ts: '1.0', user: 'U1' },
        { ts: '1.1', user: BOT },
      ],
    });
    expect(await botThere.gate.check(message({ threadTs: '1.0' }), context)).toMatchObject({ admit: true });
    const botAbsent = gate({ storeDown: true, slackThread: [{ ts: '1.0', user: 'U1' }] });
    expect(await botAbsent.gate.check(message({ threadTs: '1.0' }), context)).toMatchObject({ admit: false });
  });

  it('refuses politely only those who asked the bot directly', async () => {
    const { gate: g } = gate({});
    expect(await g.check(message({ source: 'app_mention', text: `<@${BOT}> hi` }), undefined)).toEqual({
      admit: false,
      why: 'no-context',
      refusal: REFUSALS['no-context'],
    });
    expect(await g.check(message(), undefined)).toEqual({ admit: false, why: 'no-context' });
  });

  it('re-checks a question taken over from a dead instance against today’s context', async () => {
    const { gate: g } = gate({});
    const asked = message({ channelType: 'im', channel: 'D1', user: 'U0BOB' });
    const narrowed = makeContext({ allowUsers: ['U0ALICE'] });
    expect(await g.recheck(asked, narrowed, 'recovered')).toMatchObject({ admit: false, why: 'not-allowed' });
    expect(await g.recheck(asked, undefined, 'recovered')).toMatchObject({ admit: false, why: 'no-context' });
    expect(await g.recheck(asked, context, 'recovered')).toMatchObject({ admit: true, why: 'recovered' });
  });

  it('with DM_MEMBERS_ONLY, refuses guests in DMs and group DMs, not in channels', async () => {
    const { gate: g } = gate({ dmMembersOnly: true });
    for (const channelType of ['im', 'mpim'] as const) {
      const asked = message({ channelType, user: GUEST });
      expect(await g.recheck(asked, context, 'dm')).toEqual({ admit: false, why: 'guest', refusal: MEMBERS_ONLY });
    }
    expect(await g.recheck(message({ user: GUEST }), context, 'mention')).toMatchObject({ admit: true });
  });
});
