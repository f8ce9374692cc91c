// The knowledge step of an answer, without Slack: what is searched, what the reply shows, what the history keeps.
import { type KnowledgeDeps, NO_KNOWLEDGE, retrieveKnowledge, workingStatus } from '../../src/answering/retrieval';
import { WORKING } from '../../src/answering/wording';
import type { Context } from '../../src/conversation/context';
import type { Passage } from '../../src/knowledge';
import type { OpenKnowledgeBase } from '../../src/knowledge/library';
import type { ReplyResult, ReplyStream } from '../../src/slack/reply-types';
import { recordingLogger } from '../helpers/recording-logger';

const CONTEXT = { name: 'IT', knowledge: '/guides', knowledgeOnly: false } as Context;
const VPN: Passage = {
  docId: 'vpn.md',
  path: '/guides/vpn.md',
  title: 'VPN',
  headingPath: ['VPN', 'Certificates'],
  url: 'https://wiki.example.com/vpn',
  text: 'Trust the root CA.',
  tokens: 5,
};

/** A knowledge library over one fake folder; records the searches. */
function knowledgeWith(result: Passage[] | Error) {
  const searches: { query: string; previousQuestion?: string; tokenBudget: number }[] = [];
  const base = {
    search: async (query: string, options: { tokenBudget: number; previousQuestion?: string }) => {
      searches.push({ query, ...options });
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as OpenKnowledgeBase;
  const knowledge: KnowledgeDeps = {
    library: { folder: async () => base, prepare: async () => undefined, close: () => undefined },
    tokenBudget: 1234,
  };
  return { knowledge, searches };
}

/** A reply that keeps what it was given. */
function recordingReply() {
  const parts: string[] = [];
  const result: ReplyResult = { messageTs: ['1'], writes: 1, mode: 'stream', delivered: '' };
  const reply: ReplyStream = {
    write: (delta) => void parts.push(delta),
    finish: async () => result,
    abort: async (note) => {
      parts.push(`|${note}`);
      return result;
    },
  };
  return { reply, text: () => parts.join('') };
}

describe('retrieveKnowledge', () => {
  it('searches with the thread’s previous question and the knowledge budget, and numbers the excerpts', async () => {
    const { knowledge, searches } = knowledgeWith([VPN]);
    const history = [
      { role: 'user' as const, text: 'VPN certificate error', ts: '1' },
      { role: 'assistant' as const, text: 'Trust the CA.', ts: '2' },
    ];
    const found = await retrieveKnowledge({ knowledge, logger: recordingLogger() }, CONTEXT, 'on a Mac?', history, 'r');
    expect(searches).toEqual([{ query: 'on a Mac?', previousQuestion: 'VPN certificate error', tokenBudget: 1234 }]);
    expect(found.passages).toContain('[1] VPN › Certificates\nTrust the root CA.');
    expect(found.abstain).toBe(false);
    expect(found.chunks).toEqual([
      expect.objectContaining({ type: 'task_update', sources: [{ type: 'url', url: VPN.url, text: 'VPN' }] }),
    ]);
    expect(workingStatus(knowledge, CONTEXT)).toBe('is searching the IT guides…');
  });

  it('drops invented citations split across deltas, adds the Sources line (cut short too), keeps neither in the history', async () => {
    const { knowledge } = knowledgeWith([VPN]);
    const found = await retrieveKnowledge({ knowledge, logger: recordingLogger() }, CONTEXT, 'VPN?', [], 'r');
    const { reply, text } = recordingReply();
    const cited = found.cite(reply);
    for (const delta of ['Trust the CA [', '1]. Restart [', '4', '2] now.']) cited.write(delta);
    await cited.finish();
    expect(text()).toBe(
      'Trust the CA [1]. Restart now.\n\n**Sources:** [1] [VPN › Certificates](https://wiki.example.com/vpn)',
    );
    expect(found.forHistory('Trust the CA [1]. Restart [42] now.')).toBe('Trust the CA. Restart now.');

    const cut = recordingReply();
    const partial = found.cite(cut.reply);
    partial.write('Trust the CA [1] and [9] then');
    await partial.abort('cut short');
    expect(cut.text()).toBe(
      'Trust the CA [1] and then\n\n**Sources:** [1] [VPN › Certificates](https://wiki.example.com/vpn)|cut short',
    );
  });

  it('abstains only in a knowledge_only context with nothing found', async () => {
    const { knowledge } = knowledgeWith([]);
    const deps = { knowledge, logger: recordingLogger() };
    expect((await retrieveKnowledge(deps, { ...CONTEXT, knowledgeOnly: true }, 'leave?', [], 'r')).abstain).toBe(true);
    const open = await retrieveKnowledge(deps, CONTEXT, 'leave?', [], 'r');
    expect(open.abstain).toBe(false);
    expect(open.passages).toMatch(/nothing relevant to this question was found/);
  });

  it('answers without the guides when the context has none, or the search fails', async () => {
    const failing = knowledgeWith(new Error('EACCES'));
    const logger = recordingLogger();
    const deps = { knowledge: failing.knowledge, logger };
    expect(await retrieveKnowledge(deps, { ...CONTEXT, knowledge: undefined }, 'VPN?', [], 'r')).toBe(NO_KNOWLEDGE);
    expect(failing.searches).toHaveLength(0);
    expect(workingStatus(failing.knowledge, { ...CONTEXT, knowledge: undefined })).toBe(WORKING);
    expect(await retrieveKnowledge(deps, { ...CONTEXT, knowledgeOnly: true }, 'VPN?', [], 'r')).toBe(NO_KNOWLEDGE);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/search failed/) }),
    ]);
  });
});
