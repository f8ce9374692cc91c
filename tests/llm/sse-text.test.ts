import { LlmError } from '../../src/errors';
import { sseTextReader } from '../../src/llm/sse-text';

type Event = { type: string; delta?: string };
const bytes = (text: string) => new TextEncoder().encode(text);
const frame = (event: unknown) => `data: ${JSON.stringify(event)}\n\n`;
const delta = (text: string) => frame({ type: 'delta', delta: text });
const reader = () => sseTextReader((event: Event) => event.delta);

describe('sseTextReader', () => {
  it('joins the text of every event one chunk completes', () => {
    expect(reader().read(bytes(delta('Hel') + delta('lo') + frame({ type: 'other' })))).toBe('Hello');
  });

  it('returns nothing for a chunk that completes no event with text', () => {
    const r = reader();
    expect(r.read(bytes(frame({ type: 'other' })))).toBeUndefined();
    expect(r.read(bytes('data: {"type":"del'))).toBeUndefined();
  });

  it('keeps an event split across chunks, even inside a multi-byte character', () => {
    const r = reader();
    const whole = bytes(delta('Grüße 👋'));
    const cuts = [5, whole.indexOf(0xc3) + 1, whole.length - 6];
    const parts = [whole.slice(0, cuts[0]), whole.slice(cuts[0], cuts[1]), whole.slice(cuts[1], cuts[2])];
    for (const part of parts) expect(r.read(part)).toBeUndefined();
    expect(r.read(whole.slice(cuts[2]))).toBe('Grüße 👋');
  });

  it('reads event names, comments, CRLF line ends and [DONE] as SSE allows', () => {
    const body = `: keep-alive\r\nevent: delta\r\ndata: {"type":"delta","delta":"a"}\r\n\r\ndata: [DONE]\n\n`;
    expect(reader().read(bytes(body))).toBe('a');
  });

  it('gives the text that came before an error payload, then throws a server error', () => {
    const r = reader();
    expect(r.read(bytes(delta('x') + frame({ error: { message: 'overloaded' } }) + delta('y')))).toBe('x');
    expect(() => r.finish()).toThrow(new LlmError('server', 'overloaded'));
    expect(() => r.read(bytes(delta('z')))).toThrow(LlmError);
  });

  it('throws what the event mapping throws, after the text before it', () => {
    const r = sseTextReader((event: Event) => {
      if (event.type === 'failed') throw new LlmError('server', 'The response failed');
      return event.delta;
    });
    expect(r.read(bytes(delta('ok') + frame({ type: 'failed' })))).toBe('ok');
    expect(() => r.finish()).toThrow('The response failed');
  });

  it('throws a SyntaxError for data that is not JSON', () => {
    expect(() => reader().read(bytes('data: {not json\n\n'))).toThrow(SyntaxError);
  });

  it('finishes quietly after a clean stream', () => {
    const r = reader();
    r.read(bytes(delta('a')));
    expect(() => r.finish()).not.toThrow();
  });
});
