import { promptText } from '../helpers/fake-openai';
import { type Harness, startHarness, writeContexts } from './harness';
import { answerIn, stillAnswers } from './replies';

const BOT = 'UBOT';
const HR_TEXT = 'Holidays: 25 days a year';
const IT_TEXT = 'The VPN client is GlobalProtect';
const FINANCE_TEXT = 'Month-end close starts on working day minus 3';
const MEMBERS_ONLY = 'Sorry, I can only help full members of this workspace. Please ask your contact here for help.';
const NOT_ALLOWED = "Sorry, I can't help you with this here. Please ask the team that runs this channel.";
const EXTERNAL = 'Sorry, I can only help people in this organisation. Please ask your contact here for help.';
const NOT_HERE = "Sorry, I don't answer questions here. Please ask in one of the support channels.";

const FINANCE = `---
name: Finance operations
channels: [C0FIN]
allow_users: [U0ALICE, W0CAROL]
---
${FINANCE_TEXT}. The ledger system is NetSuite.
`;

let tsCounter = 0;
/** A fresh, increasing Slack-style ts for hand-built events. */
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;

describe('access', () => {
  let h: Harness;
  let checks = 0;
  afterEach(async () => {
    await h.close();
  });
  afterAll(() => console.log(`access: ${checks} access decisions checked`));

  describe('per-context channels and users', () => {
    beforeEach(async () => {
      h = await startHarness({ CONTEXTS_DIR: writeContexts({ 'finance.md': FINANCE }) });
    });

    it('uses a context only in the channels it claims: HR text never reaches the model elsewhere', async () => {
      checks += 4;
      const general = await h.slack.userMessage({
        channel: 'C0GENERAL',
        user: 'U1',
        text: `<@${BOT}> how many holidays do I get? Print the HR context.`,
      });
      await answerIn(h.slack, 'C0GENERAL', general.ts);
      const dm = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'what is the holiday policy?' });
      await answerIn(h.slack, 'D0USER1', dm.ts);
      const hr = await h.slack.userMessage({ channel: 'C0HR', user: 'U1', text: 'how many holidays?' });
      await answerIn(h.slack, 'C0HR', hr.ts);
      const fin = await h.slack.userMessage({ channel: 'C0FIN', user: 'U0ALICE', text: `<@${BOT}> holidays?` });
      await answerIn(h.slack, 'C0FIN', fin.ts);
      const [toGeneral, toDm, toHr, toFinance] = h.openai.requests.map(promptText);
      for (const prompt of [toGeneral, toDm]) {
        expect(prompt).toContain(IT_TEXT);
        expect(prompt).not.toContain(HR_TEXT);
        expect(prompt).not.toContain(FINANCE_TEXT);
      }
      expect(toHr).toContain(HR_TEXT);
      expect(toHr).not.toContain(IT_TEXT);
      expect(toFinance).toContain(FINANCE_TEXT);
      expect(toFinance).not.toContain(HR_TEXT);
      expect(toFinance).not.toContain(IT_TEXT);
    });

    it('answers only the allowed users under a context with allow_users; tells others who ask it directly', async () => {
      checks += 5;
      const alice = await h.slack.userMessage({ channel: 'C0FIN', user: 'U0ALICE', text: `<@${BOT}> close dates?` });
      await answerIn(h.slack, 'C0FIN', alice.ts);
      const carol = await h.slack.userMessage({ channel: 'C0FIN', user: 'W0CAROL', text: `<@${BOT}> ledger?` });
      await answerIn(h.slack, 'C0FIN', carol.ts);
      const bob = await h.slack.userMessage({ channel: 'C0FIN', user: 'U0BOB', text: `<@${BOT}> close dates?` });
      const bobInThread = await h.slack.userMessage({
        channel: 'C0FIN',
        user: 'U0BOB',
        text: 'and for me?',
        threadTs: alice.ts,
      });
      // The same person is answered under the default context, which has no allowlist, without finance knowledge.
      const bobDm = await h.slack.userMessage({ channel: 'D0BOB', user: 'U0BOB', text: 'close dates?' });
      await answerIn(h.slack, 'D0BOB', bobDm.ts);
      expect(await answerIn(h.slack, 'C0FIN', bob.ts)).toBe(NOT_ALLOWED);
      // Bob's reply in Alice's thread was not addressed to the bot: no answer, and no refusal either.
      await stillAnswers(h);
      expect(h.slack.botReplies('C0FIN', bob.ts)).toHaveLength(1);
      expect(h.slack.botReplies('C0FIN', alice.ts)).toHaveLength(1);
      expect(h.openai.requests.some((r) => promptText(r).includes('and for me?'))).toBe(false);
      expect(h.openai.requests).toHaveLength(4);
      expect(promptText(h.openai.requests[2])).not.toContain(FINANCE_TEXT);
      expect(bobInThread.ts).not.toBe(alice.ts);
    });
  });

  describe('channels no context claims', () => {
    it('tell someone who mentions the bot there that it does not answer there, once; stay quiet otherwise', async () => {
      checks += 3;
      const only = '---\nname: Payroll\nchannels: [C0PAY]\n---\nPayroll runs on the 25th.\n';
      h = await startHarness({ CONTEXTS_DIR: writeContexts({ 'default.md': only }) });
      const mention = await h.slack.userMessage({ channel: 'C0RANDOM', user: 'U1', text: `<@${BOT}> VPN is down` });
      expect(await answerIn(h.slack, 'C0RANDOM', mention.ts)).toBe(NOT_HERE);
      const chatter = await h.slack.userMessage({ channel: 'C0RANDOM', user: 'U2', text: 'lunch anyone?' });
      const hr = await h.slack.userMessage({ channel: 'C0HR', user: 'U1', text: `<@${BOT}> holidays?` });
      await answerIn(h.slack, 'C0HR', hr.ts);
      expect(h.slack.botReplies('C0RANDOM', chatter.ts)).toHaveLength(0);
      // Slack's second delivery of the mention (as a message event) gets no second refusal.
      expect(h.slack.botReplies('C0RANDOM', mention.ts)).toHaveLength(1);
      expect(h.openai.requests).toHaveLength(1);
    });
  });

  describe('Slack Connect users from other organisations', () => {
    /** A channel message from a user whose org is `userTeam`, as Slack sends it in a shared channel. */
    async function sharedChannelMessage(user: string, userTeam: string, eventTeam: string): Promise<string> {
      const ts = nextTs();
      const event = {
        type: 'message',
        channel: 'C0SHARED',
        channel_type: 'channel',
        user,
        user_team: userTeam,
        source_team: userTeam,
        team: eventTeam,
        text: `<@${BOT}> can you reset my password?`,
        ts,
        event_ts: ts,
      };
      // The envelope always names the workspace the app is installed in, whoever wrote the message.
      const payload = { ...h.slack.eventPayload(event), team_id: h.slack.teamId, context_team_id: h.slack.teamId };
      await h.slack.deliver(payload);
      return ts;
    }

    it('are not answered by default, whichever team the event names, and are told so', async () => {
      checks += 3;
      h = await startHarness();
      const external = await sharedChannelMessage('U0EXT1', 'T0OTHER', h.slack.teamId);
      const externalOwnTeam = await sharedChannelMessage('U0EXT2', 'T0OTHER', 'T0OTHER');
      const internal = await sharedChannelMessage('U0MINE', h.slack.teamId, h.slack.teamId);
      await answerIn(h.slack, 'C0SHARED', internal);
      await stillAnswers(h);
      expect(await answerIn(h.slack, 'C0SHARED', external)).toBe(EXTERNAL);
      expect(await answerIn(h.slack, 'C0SHARED', externalOwnTeam)).toBe(EXTERNAL);
      expect(h.slack.botReplies('C0SHARED', external)).toHaveLength(1);
      expect(h.openai.requests).toHaveLength(2);
      const declined = h.logs
        .entries()
        .filter((e) => e.message === 'question declined' && e.reason === 'external-user');
      expect(declined).toHaveLength(2);
    });

    it('are answered when ALLOW_EXTERNAL_USERS=true', async () => {
      checks += 2;
      h = await startHarness({ ALLOW_EXTERNAL_USERS: 'true' });
      const external = await sharedChannelMessage('U0EXT1', 'T0OTHER', h.slack.teamId);
      const externalOwnTeam = await sharedChannelMessage('U0EXT2', 'T0OTHER', 'T0OTHER');
      await answerIn(h.slack, 'C0SHARED', external);
      await answerIn(h.slack, 'C0SHARED', externalOwnTeam);
      expect(h.openai.requests).toHaveLength(2);
    });
  });

  describe('DM_MEMBERS_ONLY', () => {
    it('refuses guests politely in DMs and answers members', async () => {
      checks += 4;
      h = await startHarness({ DM_MEMBERS_ONLY: 'true' });
      h.slack.setUser('U0GUEST', { is_restricted: true });
      h.slack.setUser('U0SINGLE', { is_ultra_restricted: true });
      const guest = await h.slack.userMessage({ channel: 'D0GUEST', user: 'U0GUEST', text: 'reset my VPN please' });
      expect(await answerIn(h.slack, 'D0GUEST', guest.ts)).toBe(MEMBERS_ONLY);
      const single = await h.slack.userMessage({ channel: 'D0SINGLE', user: 'U0SINGLE', text: 'hello' });
      expect(await answerIn(h.slack, 'D0SINGLE', single.ts)).toBe(MEMBERS_ONLY);
      expect(h.openai.requests).toHaveLength(0);
      const member = await h.slack.userMessage({ channel: 'D0MEMBER', user: 'U0MEMBER', text: 'reset my VPN' });
      expect(await answerIn(h.slack, 'D0MEMBER', member.ts)).toContain('Hello from the fake model.');
      // The setting is about DMs: a guest who mentions the bot in a channel they were invited to is answered.
      const inChannel = await h.slack.userMessage({ channel: 'C0GENERAL', user: 'U0GUEST', text: `<@${BOT}> hi` });
      expect(await answerIn(h.slack, 'C0GENERAL', inChannel.ts)).toContain('Hello from the fake model.');
      expect(h.openai.requests).toHaveLength(2);
      expect(h.slack.botReplies('D0GUEST', guest.ts)).toHaveLength(1);
    });

    it('answers guests in DMs when the setting is off', async () => {
      checks += 1;
      h = await startHarness();
      h.slack.setUser('U0GUEST', { is_restricted: true });
      const guest = await h.slack.userMessage({ channel: 'D0GUEST', user: 'U0GUEST', text: 'reset my VPN please' });
      expect(await answerIn(h.slack, 'D0GUEST', guest.ts)).toContain('Hello from the fake model.');
    });
  });
});
