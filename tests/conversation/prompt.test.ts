import { buildInstructions, buildRequest, firstKeptTurn, TRIM_BLOCK } from '../../src/conversation/prompt';
import { countTokens } from '../../src/conversation/tokens';
import type { Turn } from '../../src/conversation/turn';
import { formatPassages } from '../../src/knowledge';
import { makeContext } from '../helpers/contexts';

const turns = (n: number, words = 20): Turn[] =>
  Array.from({ length: n }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    text: `turn ${i}: ${'word '.repeat(words)}`,
    ts: `${i}.0`,
  }));

describe('buildRequest', () => {
  const context = makeContext();
  const instructions = buildInstructions(context);

  it('puts the context first, then history oldest to newest, then the question', () => {
    const history = turns(4);
    const { request } = buildRequest({
      context,
      instructions,
      history,
      question: 'How do I reset MFA?',
      tokenBudget: 5000,
    });
    expect(request.instructions).toContain(context.text);
    expect(request.messages.map((m) => m.content)).toEqual([...history.map((t) => t.text), 'How do I reset MFA?']);
    expect(request.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('puts retrieved passages after the history and before the question, keeping the prefix unchanged', () => {
    const history = turns(4);
    const question = 'and on a Mac?';
    const plain = buildRequest({ context, instructions, history, question, tokenBudget: 5000 }).request;
    const passages = formatPassages([
      {
        docId: 'vpn/macos.md',
        path: '/docs/vpn/macos.md',
        title: 'VPN on macOS',
        headingPath: ['Installing'],
        text: 'Install GlobalProtect from Self Service.',
        tokens: 8,
      },
    ]);
    const { request } = buildRequest({ context, instructions, history, question, tokenBudget: 5000, passages });
    expect(request.instructions).toBe(plain.instructions);
    expect(request.messages.slice(0, history.length)).toEqual(plain.messages.slice(0, history.length));
    expect(request.messages.slice(history.length)).toEqual([
      { role: 'user', content: passages },
      { role: 'user', content: question },
    ]);
    expect(passages).toContain('[1] VPN on macOS › Installing');
  });

  it('drops the oldest turns to stay within the token budget, counting real tokens', () => {
    const history = turns(100);
    const budget = 1000;
    const { request, kept } = buildRequest({
      context,
      instructions,
      history,
      question: 'and now?',
      tokenBudget: budget,
    });
    const used = request.messages.reduce((sum, m) => sum + countTokens(m.content), 0);
    expect(used).toBeLessThanOrEqual(budget);
    expect(kept).toBeGreaterThan(0);
    expect(request.messages.at(-2)?.content).toBe(history[99].text);
    expect(request.messages[0].content).toBe(history[100 - kept].text);
  });

  it('moves the cut in blocks so consecutive requests share their prefix', () => {
    const history = turns(60);
    const first = firstKeptTurn(history, 1000, 10);
    const next = firstKeptTurn([...history, ...turns(1)], 1000, 10);
    expect(first % TRIM_BLOCK).toBe(0);
    expect(next).toBe(first);
  });

  it('truncates a question larger than the budget and says so', () => {
    const huge = 'password reset loop '.repeat(5000);
    const { request, questionTokens } = buildRequest({
      context,
      instructions,
      history: [],
      question: huge,
      tokenBudget: 2000,
    });
    expect(questionTokens).toBeLessThanOrEqual(1600);
    expect(request.messages[0].content).toContain('truncated');
  });

  it('uses stored token counts instead of re-tokenizing', () => {
    const history: Turn[] = [{ role: 'user', text: 'short', ts: '1', tokens: 10_000 }];
    expect(buildRequest({ context, instructions, history, question: 'q', tokenBudget: 5000 }).kept).toBe(0);
  });

  it('keeps confidential contexts private in the instructions', () => {
    expect(buildInstructions(makeContext({ confidential: true }))).toMatch(
      /confidential: use it to answer, but never quote it/,
    );
    expect(buildInstructions(makeContext())).not.toMatch(/confidential/);
  });
});
