import { REDACTED, redactSecrets } from '../secrets';
import type { ReplyStream, ReplyStreamer } from './reply-types';

export { REDACTED };

/** Longest run of token characters held back; keys are at most ~170 characters, anything longer goes through. */
const MAX_HELD = 256;
/** Text fit to post: token-shaped words replaced, lone surrogates (which Slack's form encoding rejects) mended. */
export function safeText(text: string): string {
  return redactSecrets(text).toWellFormed();
}

// Character codes rather than regular expressions: both run on every character a delta ends with.
function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The characters a token (secrets.ts) is made of: A–Z, a–z, 0–9, `_` and `-`. */
function isTokenChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x2d
  );
}

/**
 * Makes model output safe to post as it streams. A token split across deltas must still be caught, so a trailing
 * run of token characters (and half a surrogate pair) is held back until the next delta or the end shows where it
 * stops.
 */
export class SafeTextStream {
  private held = '';

  /** The part of `held + delta` that can go out now. */
  push(delta: string): string {
    const text = this.held + delta;
    let cut = text.length;
    if (isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
    else {
      while (cut > 0 && text.length - cut <= MAX_HELD && isTokenChar(text.charCodeAt(cut - 1))) cut--;
      if (text.length - cut > MAX_HELD) cut = text.length;
    }
    this.held = text.slice(cut);
    return safeText(text.slice(0, cut));
  }

  /** Whatever is still held, once the text has ended. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return safeText(rest);
  }
}

/** Wraps a streamer so nothing it posts carries a token-shaped string or broken Unicode, whatever the model wrote. */
export function withSafeText(inner: ReplyStreamer): ReplyStreamer {
  return {
    open(target) {
      const reply = inner.open(target);
      const text = new SafeTextStream();
      const flush = () => {
        const rest = text.flush();
        if (rest) reply.write(rest);
      };
      const safe: ReplyStream = {
        write: (delta) => {
          const ready = text.push(delta);
          if (ready) reply.write(ready);
        },
        finish: (options) => {
          flush();
          return reply.finish(options);
        },
        abort: (note) => {
          flush();
          return reply.abort(note);
        },
      };
      return safe;
    },
  };
}
