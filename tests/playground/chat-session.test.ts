import type { Context, ContextRegistry } from '../../src/conversation/context';
import type { Llm, LlmRequest } from '../../src/llm/llm';
import { ChatSession } from '../../src/playground/chat-session';
import { makeContext } from '../helpers/contexts';

/** A registry whose contexts a test can swap, as a reload after an edit does. */
function registry(initial: Context[]): ContextRegistry & { set(contexts: Context[]): void } {
  let current = initial;
  return {
    forChannel: () => current[0],
    all: () => [...current],
    close: () => undefined,
    set: (contexts) => {
      current = contexts;
    },
  };
}

/** An Llm that records requests and answers "ok". */
function recordingLlm(): Llm & { requests: LlmRequest[] } {
  const requests: LlmRequest[] = [];
  return {
    requests,
    async *stream(request) {
      requests.push(request);
      yield { type: 'delta', text: 'ok' };
      yield { type: 'done' };
    },
  };
}

describe('ChatSession', () => {
  it('answers the next question with the edited context once the registry has reloaded it', async () => {
    const before = makeContext({ text: 'VPN: GlobalProtect.' });
    const contexts = registry([before]);
    const llm = recordingLlm();
    const session = new ChatSession({ llm, contexts, tokenBudget: 12_000 }, before);
    const signal = new AbortController().signal;

    await session.ask('VPN?', { signal });
    expect(session.followEdits()).toBe(false);
    contexts.set([makeContext({ text: 'VPN: WireGuard.' })]);
    expect(session.followEdits()).toBe(true);
    await session.ask('VPN again?', { signal });

    expect(llm.requests[0].instructions).toContain('GlobalProtect');
    expect(llm.requests[1].instructions).toContain('WireGuard');
    // The conversation goes on across the edit.
    expect(llm.requests[1].messages).toHaveLength(3);
  });
});
