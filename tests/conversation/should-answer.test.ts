import { type IncomingMessage, parseEvent } from '../../src/conversation/incoming';
import { type AnswerFacts, shouldAnswer } from '../../src/conversation/should-answer';
import { makeContext } from '../helpers/contexts';

const BOT = 'UBOT';
const facts = (overrides: Partial<AnswerFacts> = {}): AnswerFacts => ({
  botUserId: BOT,
  context: makeContext(),
  inThread: false,
  allowExternalUsers: false,
  ...overrides,
});

function parsed(event: Record<string, unknown>): IncomingMessage {
  const result = parseEvent({ type: 'message', team: 'T1', user: 'U1', ts: '10.1', text: 'help', ...event }, 'T1', BOT);
  if (typeof result === 'string') throw new Error(`ignored: ${result}`);
  return result;
}

describe('parseEvent', () => {
  it.each([
    ['its own messages', { user: BOT }, 'self'],
    ['other bots', { bot_id: 'B9', user: 'U9' }, 'bot'],
    ['edits', { subtype: 'message_changed' }, 'subtype'],
    ['deletions', { subtype: 'message_deleted' }, 'subtype'],
    ['joins', { subtype: 'channel_join' }, 'subtype'],
    ['empty text', { text: '   ' }, 'empty'],
    ['events without a user', { user: undefined }, 'malformed'],
    ['non-object events', null, 'malformed'],
  ])('ignores %s', (_name, event, reason) => {
    const raw =
      event === null
        ? null
        : { type: 'message', channel: 'C1', team: 'T1', user: 'U1', ts: '1.1', text: 'x', ...event };
    expect(parseEvent(raw, 'T1', BOT)).toBe(reason);
  });

  it('treats thread broadcasts and file shares as user input', () => {
    expect(parsed({ channel: 'C1', subtype: 'thread_broadcast', thread_ts: '9.9' }).threadTs).toBe('9.9');
    expect(parsed({ channel: 'D1', subtype: 'file_share', text: '', files: [{ id: 'F1' }] }).text).toBe(
      '(shared a file)',
    );
  });

  it('knows a thread root from a reply', () => {
    expect(parsed({ channel: 'C1', thread_ts: '10.1' }).threadTs).toBeUndefined();
    expect(parsed({ channel: 'C1', thread_ts: '5.0' }).threadTs).toBe('5.0');
  });
});

describe('shouldAnswer', () => {
  it('answers every DM', () => {
    expect(shouldAnswer(parsed({ channel: 'D1', channel_type: 'im' }), facts())).toEqual({ answer: true, why: 'dm' });
  });

  it('answers a channel message only when it mentions the bot', () => {
    expect(shouldAnswer(parsed({ channel: 'C1', text: `<@${BOT}> vpn?` }), facts()).answer).toBe(true);
    expect(shouldAnswer(parsed({ channel: 'C1', text: 'lunch?' }), facts())).toEqual({
      answer: false,
      why: 'not-addressed',
    });
  });

  it('follows up in threads it is part of, and only those', () => {
    const reply = parsed({ channel: 'C1', thread_ts: '5.0', text: 'still broken' });
    expect(shouldAnswer(reply, facts({ inThread: true })).why).toBe('follow-up');
    expect(shouldAnswer(reply, facts({ inThread: false })).answer).toBe(false);
  });

  it('answers every top-level message in a channel whose context says reply: all', () => {
    const context = makeContext({ channels: ['C1'], reply: 'all' });
    expect(shouldAnswer(parsed({ channel: 'C1', text: 'printer jammed' }), facts({ context })).why).toBe('reply-all');
    expect(shouldAnswer(parsed({ channel: 'C1', thread_ts: '5.0' }), facts({ context })).answer).toBe(false);
  });

  it('does not answer without a context, outside the allowlist, or for external users unless allowed', () => {
    const dm = parsed({ channel: 'D1' });
    expect(shouldAnswer(dm, facts({ context: undefined })).why).toBe('no-context');
    expect(shouldAnswer(dm, facts({ context: makeContext({ allowUsers: ['U2'] }) })).why).toBe('not-allowed');
    const external = parsed({ channel: 'C1', text: `<@${BOT}> hi`, user_team: 'T_OTHER' });
    expect(shouldAnswer(external, facts()).why).toBe('external-user');
    expect(shouldAnswer(external, facts({ allowExternalUsers: true })).answer).toBe(true);
  });
});
