import { createParser, type ParseError } from 'eventsource-parser';
import { LlmError } from '../errors';

/**
 * The largest event the model server may send, in characters. A response's last event repeats the whole answer (and,
 * on the Responses API, its output items), so this is far above any answer; past it, the stream is nonsense.
 */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** A model server's SSE body, read one network chunk at a time. */
export interface SseTextReader {
  /** Parses every event the chunk completes and returns the text they carry, joined (undefined if none did). */
  read(chunk: Uint8Array): string | undefined;
  /** Once the body has ended: throws the failure the last chunk carried after its text, if it carried one. */
  finish(): void;
}

/**
 * An `SseTextReader` passing each event's JSON to `textOf`.
 *
 * The SDK's own stream yields one event per step through three async generators; a fast model's whole answer often
 * comes in a single chunk, and every step cost promises and turns per token. The text is the same either way.
 * Errors are the SDK's: malformed JSON throws a SyntaxError, an error payload throws an `LlmError` of kind server, each
 * after the text that came before it.
 */
export function sseTextReader<T>(textOf: (event: T) => string | undefined): SseTextReader {
  const decoder = new TextDecoder();
  let texts: string[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent: ({ data }) => {
      if (failure || data === '[DONE]') return;
      try {
        const event = JSON.parse(data) as T & { error?: { message?: unknown } };
        // Chat Completions reports a failure inside a 200 stream as `{"error": {...}}`.
        if (event.error) throw new LlmError('server', String(event.error.message ?? 'The model stream failed'));
        const text = textOf(event);
        if (text) texts.push(text);
      } catch (error) {
        failure = error as Error;
      }
    },
    onError: (error: ParseError) => {
      // An unknown field is only a field this client does not use; a runaway event is not a model's answer.
      if (error.type === 'max-buffer-size-exceeded') failure ??= new LlmError('server', error.message);
    },
  });
  const finish = (): void => {
    if (failure) throw failure;
  };
  return {
    read(chunk) {
      finish();
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (texts.length === 0) {
        finish();
        return undefined;
      }
      const text = texts.join('');
      texts = [];
      return text;
    },
    finish,
  };
}
