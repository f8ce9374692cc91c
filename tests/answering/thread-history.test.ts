import { findLeftovers, type RepliesReader, readThreadFromSlack } from '../../src/answering/thread-history';

const BOT = 'UBOT';

/** A thread as conversations.replies serves it, two messages per page to exercise the cursor. */
function thread(messages: Array<{ ts: string; user?: string; bot_id?: string; text?: string }>): RepliesReader {
  return {
    conversations: {
      replies: async ({ cursor }) => {
        const start = Number(cursor ?? 0);
        const next = start + 2 < messages.length ? String(start + 2) : '';
        return { messages: messages.slice(start, start + 2), response_metadata: { next_cursor: next } };
      },
    },
  };
}

describe('findLeftovers', () => {
  const args = { channel: 'C1', threadTs: '100.0', afterTs: '101.0', botUserId: BOT };

  it("finds the bot's messages right after the question, up to the next person's message", async () => {
    const client = thread([
      { ts: '100.0', user: 'U1', text: 'root' },
      { ts: '100.5', user: BOT, text: 'an earlier answer' },
      { ts: '101.0', user: 'U1', text: 'the question' },
      { ts: '101.5', user: BOT, text: 'half an ans' },
      { ts: '101.7', user: BOT, text: 'its second message' },
      { ts: '102.0', user: 'U2', text: 'a person again' },
      { ts: '102.5', user: BOT, text: 'the answer to U2' },
    ]);
    expect(await findLeftovers(client, args)).toEqual(['101.5', '101.7']);
  });

  it('finds nothing when a person wrote first, or the bot had not written yet', async () => {
    const personFirst = thread([
      { ts: '101.0', user: 'U1', text: 'the question' },
      { ts: '101.2', user: 'U2', text: 'me too' },
      { ts: '101.5', user: BOT, text: 'an answer to someone else' },
    ]);
    expect(await findLeftovers(personFirst, args)).toEqual([]);
    expect(await findLeftovers(thread([{ ts: '101.0', user: 'U1', text: 'the question' }]), args)).toEqual([]);
  });
});

describe('readThreadFromSlack', () => {
  it("turns the thread before the message into turns: the bot's as answers, people's attributed, other bots left out", async () => {
    const client = thread([
      { ts: '100.0', user: 'U1', text: 'my laptop is slow' },
      { ts: '100.2', bot_id: 'B2', text: 'a monitoring bot' },
      { ts: '100.5', user: BOT, text: 'Try a restart.' },
      { ts: '101.0', user: 'U2', text: 'the question itself' },
    ]);
    expect(
      await readThreadFromSlack(client, { channel: 'C1', threadTs: '100.0', beforeTs: '101.0', botUserId: BOT }),
    ).toEqual([
      { role: 'user', text: '<@U1> wrote: my laptop is slow', ts: '100.0', user: 'U1' },
      { role: 'assistant', text: 'Try a restart.', ts: '100.5' },
    ]);
  });
});
