// Knowledge folders end to end: the real bot searches a context's guides, cites them, and abstains when they are silent.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NOT_IN_GUIDES_REPLY } from '../../src/knowledge';
import { lastUserText, messagesOf } from '../helpers/fake-openai';
import { scratchDir } from '../helpers/scratch-dir';
import { type Harness, startHarness, writeContexts } from './harness';
import { answerIn } from './replies';

const VPN_GUIDE = `---
title: VPN on macOS
url: https://wiki.example.com/vpn-mac
---
# VPN on macOS

## Certificate errors

If GlobalProtect says the certificate is not trusted, open Keychain Access, find the Example Root CA and set it to
Always Trust. Then quit GlobalProtect and open it again.
`;

const PRINTER_GUIDE = `# Printers

## Adding a printer

Open System Settings, choose Printers & Scanners and add the Follow-Me queue. Badge at any printer to release jobs.
`;

/** A contexts folder whose default context answers from `guides/`, and a knowledge_only policies context. */
function knowledgeContexts(): string {
  const dir = writeContexts({
    'default.md': '---\nname: IT\nknowledge: guides\n---\nYou are the IT help desk of Example Ltd.\n',
    'policies.md':
      '---\nname: Policies\nchannels: [C0POL]\nreply: all\nknowledge: guides\nknowledge_only: true\n---\nAnswer only from the guides.\n',
  });
  mkdirSync(path.join(dir, 'guides'));
  writeFileSync(path.join(dir, 'guides', 'vpn-mac.md'), VPN_GUIDE);
  writeFileSync(path.join(dir, 'guides', 'printers.md'), PRINTER_GUIDE);
  return dir;
}

/** The text of the message the bot put between the history and the question (the numbered excerpts). */
function passagesSent(request: Harness['openai']['requests'][number]): string {
  const messages = messagesOf(request);
  return messages[messages.length - 2]?.content ?? '';
}

describe('knowledge folders, end to end', () => {
  let h: Harness;
  let contextsDir: string;
  async function start(env: Record<string, string> = {}, slack?: { refuseChunks?: string }) {
    contextsDir = knowledgeContexts();
    h = await startHarness({ CONTEXTS_DIR: contextsDir, ...env });
    if (slack?.refuseChunks) h.slack.refuseChunks = slack.refuseChunks;
  }
  afterEach(async () => {
    await h.close();
  });

  it('answers from the guides: excerpts after the history, citations checked, a Sources line, the search shown', async () => {
    await start();
    h.openai.enqueue(
      { text: 'Open Keychain Access and trust the Example Root CA [1]. Then restart your Mac [7].', chunkChars: 3 },
      { text: 'Call the service desk.' },
    );
    const question = 'My VPN says the certificate is not trusted on my Mac';
    const { ts } = await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: question });
    const answer = await answerIn(h.slack, 'D0USER1', ts);

    expect(answer).toContain('Open Keychain Access and trust the Example Root CA [1]. Then restart your Mac.');
    expect(answer).not.toContain('[7]');
    expect(answer).toContain('**Sources:** [1] [VPN on macOS › Certificate errors](https://wiki.example.com/vpn-mac)');
    expect(passagesSent(h.openai.requests[0])).toContain('[1] VPN on macOS › Certificate errors\nIf GlobalProtect');
    expect(lastUserText(h.openai.requests[0])).toBe(question);

    const [reply] = h.slack.botReplies('D0USER1', ts);
    expect(reply.chunks).toEqual([
      expect.objectContaining({
        type: 'task_update',
        status: 'complete',
        title: 'Searched the IT guides',
        sources: [{ type: 'url', url: 'https://wiki.example.com/vpn-mac', text: 'VPN on macOS' }],
      }),
    ]);
    const statuses = h.slack.callsFor('assistant.threads.setStatus').map((call) => call.args.status);
    expect(statuses).toContain('is searching the IT guides…');

    // A follow-up that names nothing of the guide is searched together with the previous question.
    await h.slack.userMessage({ channel: 'D0USER1', user: 'U1', text: 'and if that does not work?', threadTs: ts });
    await answerIn(h.slack, 'D0USER1', ts, 2);
    const sent = messagesOf(h.openai.requests[1]).map((m) => `${m.role}: ${m.content.split('\n')[0]}`);
    expect(sent).toEqual([
      `user: ${question}`,
      'assistant: Open Keychain Access and trust the Example Root CA. Then restart your Mac.',
      expect.stringMatching(/^user: Excerpts from the team's guides/),
      'user: and if that does not work?',
    ]);
    expect(passagesSent(h.openai.requests[1])).toContain('VPN on macOS › Certificate errors');
  });

  it('says it could not find the answer in a knowledge_only context, without asking the model', async () => {
    await start();
    const { ts } = await h.slack.userMessage({
      channel: 'C0POL',
      user: 'U1',
      text: 'What is the parental leave policy for contractors?',
    });
    expect(await answerIn(h.slack, 'C0POL', ts)).toBe(NOT_IN_GUIDES_REPLY);
    expect(h.openai.requests).toHaveLength(0);

    // The same folder, asked about what it does cover: the model answers from it.
    h.openai.enqueue({ text: 'Add the Follow-Me queue [1].' });
    const covered = await h.slack.userMessage({ channel: 'C0POL', user: 'U1', text: 'How do I add a printer?' });
    expect(await answerIn(h.slack, 'C0POL', covered.ts)).toContain('**Sources:** [1] Printers › Adding a printer');
  });

  it('tells the model the guides are silent in an ordinary context, so that it does not guess', async () => {
    await start();
    const { ts } = await h.slack.userMessage({
      channel: 'D0USER2',
      user: 'U2',
      text: 'Parental leave for contractors?',
    });
    await answerIn(h.slack, 'D0USER2', ts);
    expect(passagesSent(h.openai.requests[0])).toMatch(/nothing relevant to this question was found/);
  });

  it('shows the search in the status line where the workspace refuses task updates', async () => {
    await start({}, { refuseChunks: 'invalid_chunks' });
    h.openai.enqueue({ text: 'Trust the root CA [1].' });
    const { ts } = await h.slack.userMessage({ channel: 'D0USER3', user: 'U3', text: 'VPN certificate not trusted' });
    expect(await answerIn(h.slack, 'D0USER3', ts)).toContain('Trust the root CA [1].');
    const [reply] = h.slack.botReplies('D0USER3', ts);
    expect(reply.chunks).toBeUndefined();
    expect(h.slack.callsFor('chat.startStream').map((call) => call.error ?? 'ok')).toEqual(['invalid_chunks', 'ok']);
    expect(h.slack.callsFor('chat.postMessage')).toHaveLength(0);
    const statuses = h.slack.callsFor('assistant.threads.setStatus').map((call) => call.args.status);
    expect(statuses).toContain('is searching the IT guides…');
  });

  it('finds a guide by embeddings when OPENAI_EMBEDDING_MODEL is set, with no word in common', async () => {
    const cacheDir = scratchDir('kcache');
    await start({ OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small', KNOWLEDGE_CACHE_DIR: cacheDir });
    // The fake model's embeddings put the guides naming GlobalProtect and anything about a tunnel close together.
    h.openai.embedWith((text) => (/tunnel|GlobalProtect/i.test(text) ? [1, 0] : [0, 1]));
    const guide = '# Working from home\n\nGlobalProtect connects your laptop to the office.\n';
    writeFileSync(path.join(contextsDir, 'guides', 'home.md'), guide);
    await h.slack.waitFor(() => h.logs.entries().some((entry) => entry.message === 'knowledge folder re-indexed'));
    await (await h.bot.knowledge.folder(path.join(contextsDir, 'guides'))).idle();
    expect(readdirSync(cacheDir)).toHaveLength(1);

    h.openai.enqueue({ text: 'Connect GlobalProtect [1].' });
    const question = 'the tunnel refuses me';
    const { ts } = await h.slack.userMessage({ channel: 'D0USER4', user: 'U4', text: question });
    expect(await answerIn(h.slack, 'D0USER4', ts)).toContain('**Sources:** [1] ');
    // Full-text search alone finds nothing for these words: the excerpts came from the embeddings.
    expect(passagesSent(h.openai.requests[0])).toContain('GlobalProtect connects');
    expect(h.openai.embeddingRequests.every((request) => request.model === 'text-embedding-3-small')).toBe(true);
    expect(h.openai.embeddingRequests.at(-1)?.input).toEqual([question]);
  });

  it('uses an edited guide, and a context added while running, without a restart', async () => {
    await start();
    writeFileSync(
      path.join(contextsDir, 'guides', 'printers.md'),
      `${PRINTER_GUIDE}\n## Printer codes\n\nThe release code for the Follow-Me queue is 4711.\n`,
    );
    const newDocs = path.join(contextsDir, 'facilities-docs');
    mkdirSync(newDocs);
    writeFileSync(path.join(newDocs, 'parking.md'), '# Parking\n\nVisitor parking permits come from reception.\n');
    writeFileSync(
      path.join(contextsDir, 'facilities.md'),
      '---\nname: Facilities\nchannels: [C0FAC]\nreply: all\nknowledge: facilities-docs\n---\nFacilities desk.\n',
    );
    await h.slack.waitFor(() => h.bot.contexts.all().some((c) => c.name === 'Facilities'), 10_000);
    await h.slack.waitFor(
      () => h.logs.entries().some((entry) => entry.message === 'knowledge folder re-indexed'),
      10_000,
    );

    const edited = await h.slack.userMessage({ channel: 'D0USER5', user: 'U5', text: 'printer release code?' });
    await answerIn(h.slack, 'D0USER5', edited.ts);
    expect(passagesSent(h.openai.requests[0])).toContain('4711');

    const added = await h.slack.userMessage({ channel: 'C0FAC', user: 'U5', text: 'visitor parking permit' });
    await answerIn(h.slack, 'C0FAC', added.ts);
    expect(passagesSent(h.openai.requests[1])).toContain('[1] Parking\nVisitor parking permits come from reception.');
  });
});
