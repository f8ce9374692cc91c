/** One question's metrics, from its arrival to its end, and the reference id every line about it carries. */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { Metrics, QuestionOutcome } from '../ops/metrics';
import type { ReplyStreamer } from '../slack/reply-types';

/** The metrics the answering path reports. */
export type AnswerMetrics = Pick<Metrics, 'question' | 'firstVisible' | 'answered' | 'inFlight'>;

/** Reports nothing: for handlers built without metrics (unit tests, tools). */
export const NO_METRICS: AnswerMetrics = { question() {}, firstVisible() {}, answered() {}, inFlight() {} };

/** A logger whose every line carries `ref`, the id people see in the apology. */
export function refLogger(logger: Logger, ref: string): Logger {
  const withRef = (meta?: Record<string, unknown>) => ({ ref, ...meta });
  return {
    debug: (message, meta) => logger.debug(message, withRef(meta)),
    info: (message, meta) => logger.info(message, withRef(meta)),
    warn: (message, meta) => logger.warn(message, withRef(meta)),
    error: (message, meta) => logger.error(message, withRef(meta)),
  };
}

/**
 * Follows one question: its outcome is counted exactly once (the first `end` wins), it is in flight between `begin`
 * and `end`, and its first visible words and finished reply are timed from its arrival.
 */
export class QuestionTrack {
  /** The reference id: in every log line about the question, and in the apology the asker sees. */
  // Eight hex digits from a v4 UUID's first, wholly random, 32 bits: node hands UUIDs out of a pooled buffer, where a
  // randomBytes call of its own costs a trip to the crypto bindings for every question.
  readonly ref = randomUUID().slice(0, 8);
  readonly log: Logger;
  /** The answer's time limit (ANSWER_TIMEOUT_MS) cut it. */
  timedOut = false;
  readonly #metrics: AnswerMetrics;
  readonly #arrivedAt: number;
  #answering = false;
  #shown = false;
  #replied = false;
  #ended = false;

  constructor(metrics: AnswerMetrics, logger: Logger, arrivedAt = performance.now()) {
    this.#metrics = metrics;
    this.#arrivedAt = arrivedAt;
    this.log = refLogger(logger, this.ref);
  }

  /** Answering starts (the question counts as in flight until it ends). */
  begin(): void {
    if (this.#answering || this.#ended) return;
    this.#answering = true;
    this.#metrics.inFlight(1);
  }

  /** A message of the answer exists in Slack: the first one is the first text the asker sees. */
  shown(): void {
    if (this.#shown) return;
    this.#shown = true;
    this.#metrics.firstVisible(this.#seconds());
  }

  /** The reply's last write is done (the whole answer, or the part before the cut-short note). */
  replied(): void {
    if (this.#replied) return;
    this.#replied = true;
    this.#metrics.answered(this.#seconds());
  }

  /** The answer is delivered and saved: `answered`, or cut short by its time limit or by something else. */
  finished(cutShort: boolean): void {
    this.end(!cutShort ? 'answered' : this.timedOut ? 'timed_out' : 'failed');
  }

  /** The question ended with `outcome`; later calls change nothing. */
  end(outcome: QuestionOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#metrics.question(outcome);
    if (this.#answering) this.#metrics.inFlight(-1);
  }

  #seconds(): number {
    return (performance.now() - this.#arrivedAt) / 1000;
  }
}

/** The streamer, with each reply reporting to `track` once Slack has its last write (finished, or closed with a note). */
export function trackReplies(streamer: ReplyStreamer, track: QuestionTrack): ReplyStreamer {
  return {
    open(target) {
      const reply = streamer.open(target);
      const replied = <T>(result: T) => {
        track.replied();
        return result;
      };
      return {
        write: (delta) => reply.write(delta),
        finish: (options) => reply.finish(options).then(replied),
        abort: (note) => reply.abort(note).then(replied),
      };
    },
  };
}
