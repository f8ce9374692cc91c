import type { FakeSlack, StoredMessage } from './fake-slack';

/**
 * The figures a fault test file reports: faults injected, and what users would notice of them — questions left
 * without any reply (lost) and replies beyond the one expected (duplicates). Counted from what the fakes saw.
 */
export class FaultTally {
  private faults = 0;
  private questions = 0;
  private lost = 0;
  private duplicates = 0;

  constructor(private readonly file: string) {}

  /** Counts faults the test injected (a scripted 429, a dropped socket, a kill -9…). */
  inject(count = 1): void {
    this.faults += count;
  }

  /** Records one question that should get exactly one reply (an answer or an apology), and how many it got. */
  replies(count: number): void {
    this.questions++;
    if (count === 0) this.lost++;
    if (count > 1) this.duplicates += count - 1;
  }

  /** The one line the file prints. */
  summary(): string {
    return `${this.file}: faults injected ${this.faults}, questions ${this.questions}, answers lost ${this.lost}, duplicate answers ${this.duplicates}`;
  }
}

/** Waits until the thread holds at least `count` bot messages, none still streaming, and returns them. */
export function settledReplies(
  slack: FakeSlack,
  channel: string,
  threadTs: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<StoredMessage[]> {
  return slack.waitFor(() => {
    const found = slack.botReplies(channel, threadTs);
    return found.length >= count && found.every((m) => !m.streaming) ? found : undefined;
  }, timeoutMs);
}

/**
 * Waits until the bot's messages in the thread, joined, read exactly `expected` and none is still streaming (a
 * posted-and-updated answer shows its first words long before its last), and returns them; on timeout, says
 * what the thread showed instead.
 */
export async function wholeAnswer(
  slack: FakeSlack,
  channel: string,
  threadTs: string,
  expected: string,
  timeoutMs = 15_000,
): Promise<StoredMessage[]> {
  const read = () => slack.botReplies(channel, threadTs);
  try {
    return await slack.waitFor(() => {
      const found = read();
      return found.every((m) => !m.streaming) && found.map((m) => m.text).join('') === expected ? found : undefined;
    }, timeoutMs);
  } catch {
    throw new Error(
      `answer in ${channel}/${threadTs} never read as expected; the thread showed: ${JSON.stringify(read())}`,
    );
  }
}

/** Bot messages in the thread whose text contains `marker` (the one answer a question should get). */
export function repliesWith(slack: FakeSlack, channel: string, threadTs: string, marker: string): StoredMessage[] {
  return slack.botReplies(channel, threadTs).filter((m) => m.text.includes(marker));
}

/** What a user must never see: upstream error text, stack traces, error names, URLs, tokens, HTTP statuses. */
export const INTERNALS =
  /\bError\b|\n\s+at |https?:\/\/|xox[a-z]-|xapp-|sk-|Fake OpenAI|fake model failed|ECONN|terminated|\b(401|429|500|503)\b|No stream event|ANSWER_TIMEOUT_MS/;

/** The apology the bot posts when it could deliver nothing: short, with a reference id. */
export const APOLOGY =
  /^Sorry, I couldn't answer that just now\. Please try again in a minute \(ref `([0-9a-f]{8})`\)\.$/;

/** The note after an answer that was cut short, with a reference id. */
export const CUT_SHORT = /…my answer was cut short \(ref `([0-9a-f]{8})`\)\.$/;

/** Resolves after `ms`. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
