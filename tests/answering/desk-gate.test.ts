import { createGate } from '../../src/answering/admission';
import type { IncomingMessage } from '../../src/conversation/incoming';
import { MemberDirectory } from '../../src/slack/member-directory';
import { makeContext } from '../helpers/contexts';
import { recordingLogger } from '../helpers/recording-logger';

const BOT = 'UBOT';
const reply = (text: string, over: Partial<IncomingMessage> = {}): IncomingMessage => ({
  source: 'message',
  team: 'T1',
  channel: 'C0IT',
  channelType: 'channel',
  user: 'U1',
  text,
  ts: '2.0',
  threadTs: '1.0',
  ...over,
});

function gate(quietThreads: string[]) {
  return createGate({
    botUserId: BOT,
    access: { allowExternalUsers: false, dmMembersOnly: false },
    history: { has: async () => true },
    slack: { conversations: { replies: async () => ({ messages: [] }) } },
    members: new MemberDirectory({ users: { info: async () => ({ user: { is_restricted: false } }) } }),
    logger: recordingLogger(),
    quiet: async (key) => quietThreads.includes(key),
  });
}

describe('the gate and the desk', () => {
  it('leaves an un-mentioned follow-up alone in a thread the desk made quiet', async () => {
    const admission = await gate(['T1:C0IT:1.0']).check(reply('thanks'), makeContext());
    expect(admission).toEqual({ admit: false, why: 'desk-quiet' });
  });

  it('still answers there when mentioned, and elsewhere as before', async () => {
    const mentioned = await gate(['T1:C0IT:1.0']).check(reply(`<@${BOT}> one more thing`), makeContext());
    expect(mentioned.admit).toBe(true);
    const other = await gate(['T1:C0IT:1.0']).check(reply('thanks', { threadTs: '9.0' }), makeContext());
    expect(other.admit).toBe(true);
  });
});
