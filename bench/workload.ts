import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeOpenAI, lastUserText, type Script } from '../tests/helpers/fake-openai';
import type { FakeSlack, RecordedCall } from '../tests/helpers/fake-slack';
import { answerText, questionId, questionText } from './text';

/** How the fake model answers: time to first token, then tokens (4-character deltas) at a steady rate. */
export interface Pacing {
  /** Answer length in characters. */
  chars: number;
  ttftMs: number;
  /** 0 = every delta at once (an instant model). */
  tokensPerSecond: number;
}

/** Which workspace a question comes from. */
export type TeamMode = { team: string } | 'unique';

/** What is known about one question, all times performance.now() in this (the fakes') process. */
export interface Question {
  id: number;
  team: string;
  channel: string;
  /** The thread the answer goes to: given for a follow-up, else learnt from the bot's first write. */
  threadTs?: string;
  /** The bot's replies already in that thread when the question was asked (earlier answers of a conversation). */
  repliesBefore: number;
  answer: string;
  script: Script;
  eventId?: string;
  /** Envelope sent to the bot. */
  sentAt?: number;
  ackMs?: number;
  /** Model request received by the fake OpenAI. */
  requestAt?: number;
  /** First Slack write after which some of the answer was visible (the first words). */
  firstTextAt?: number;
  /** Slack write calls (chat.*) for this answer, by method, 429s included. */
  writes: Record<string, number>;
  http429: number;
  /** The write after which the whole answer was visible and no message of it was still streaming. */
  doneAt?: number;
  done: Promise<void>;
  finish(): void;
}

const CHUNK = 4;
const WRITES = new Set(['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'chat.postMessage', 'chat.update']);

/** Sends questions to the bot through fake Slack, scripts the fake model's answers, and watches them arrive. */
export class Workload {
  readonly questions = new Map<number, Question>();
  private readonly byChannel = new Map<string, Question>();
  private readonly envelopeAt = new Map<string, { sentAt: number; ackMs?: number }>();
  private envelopeCursor = 0;
  private nextId = 1;

  constructor(
    readonly slack: FakeSlack,
    readonly openai: FakeOpenAI,
  ) {
    openai.respond((request) => {
      const question = this.questions.get(questionId(lastUserText(request)) ?? -1);
      if (!question) return { text: 'I do not know that question.' };
      question.requestAt = request.at;
      return question.script;
    });
    // Every Web API call is recorded in this array; observing its pushes sees each call once, as it is answered.
    const calls = slack.calls;
    const push = calls.push.bind(calls);
    calls.push = (...items: RecordedCall[]) => {
      const length = push(...items);
      for (const call of items) this.observe(call);
      return length;
    };
  }

  /** A new question (not sent yet): its own DM channel, so its answer can be followed by channel. */
  question(pacing: Pacing, teams: TeamMode, thread?: { channel: string; threadTs: string }): Question {
    const id = this.nextId++;
    const answer = answerText(pacing.chars, id);
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const question: Question = {
      id,
      team: teams === 'unique' ? `TB${id}` : teams.team,
      channel: thread?.channel ?? `DB${id}`,
      threadTs: thread?.threadTs,
      answer,
      script: {
        text: answer,
        chunkChars: CHUNK,
        ttftMs: pacing.ttftMs,
        ...(pacing.tokensPerSecond > 0 ? { tokensPerSecond: pacing.tokensPerSecond } : {}),
      },
      writes: {},
      http429: 0,
      repliesBefore: thread ? this.slack.botReplies(thread.channel, thread.threadTs).length : 0,
      done,
      finish,
    };
    this.questions.set(id, question);
    this.byChannel.set(question.channel, question);
    return question;
  }

  /** Posts the question as its user; resolves once the envelope is acked. */
  async ask(question: Question): Promise<void> {
    const { eventIds } = await this.slack.userMessage({
      channel: question.channel,
      user: `UB${question.id}`,
      team: question.team,
      text: questionText(question.id),
      ...(question.threadTs ? { threadTs: question.threadTs } : {}),
    });
    question.eventId = eventIds[0];
    const envelope = this.envelope(question.eventId);
    question.sentAt = envelope?.sentAt;
    question.ackMs = envelope?.ackMs;
  }

  /** Resolves when every question is answered in full, or after `timeoutMs`; returns how many were. */
  async settle(questions: Question[], timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(questions.map((question) => question.done)), timeout]);
    clearTimeout(timer);
    return questions.filter((question) => question.doneAt !== undefined).length;
  }

  /** Event delivered → model request received, per answered question. */
  static overheads(questions: Question[]): number[] {
    return questions.flatMap((q) =>
      q.sentAt !== undefined && q.requestAt !== undefined ? [q.requestAt - q.sentAt] : [],
    );
  }

  static acks(questions: Question[]): number[] {
    return questions.flatMap((q) => (q.ackMs !== undefined ? [q.ackMs] : []));
  }

  static writeCount(question: Question): number {
    return Object.values(question.writes).reduce((sum, count) => sum + count, 0);
  }

  private envelope(eventId: string): { sentAt: number; ackMs?: number } | undefined {
    const envelopes = this.slack.envelopes;
    for (; this.envelopeCursor < envelopes.length; this.envelopeCursor++) {
      const record = envelopes[this.envelopeCursor];
      if (record.eventId) this.envelopeAt.set(record.eventId, record);
    }
    return this.envelopeAt.get(eventId);
  }

  private observe(call: RecordedCall): void {
    if (!WRITES.has(call.method)) return;
    const channel = call.args.channel;
    const question = typeof channel === 'string' ? this.byChannel.get(channel) : undefined;
    if (!question || question.doneAt !== undefined) return;
    question.writes[call.method] = (question.writes[call.method] ?? 0) + 1;
    if (call.status === 429) question.http429++;
    if (call.status !== 200 || call.error) return;
    // The thread the bot answers in: named by the first write of the answer (startStream / postMessage).
    if (question.threadTs === undefined && typeof call.args.thread_ts === 'string') {
      question.threadTs = call.args.thread_ts;
    }
    if (question.threadTs === undefined) return;
    const replies = this.slack.botReplies(question.channel, question.threadTs).slice(question.repliesBefore);
    const visible = replies.map((message) => message.text).join('');
    if (question.firstTextAt === undefined && /\S/.test(visible)) {
      question.firstTextAt = call.at;
    }
    if (visible === question.answer && replies.every((message) => !message.streaming)) {
      question.doneAt = call.at;
      question.finish();
    }
  }
}

/** Sends `count` questions one after another, each answered before the next; `gapMs` between them. */
export async function sequential(work: Workload, count: number, pacing: Pacing, gapMs: number, teams: TeamMode) {
  const questions: Question[] = [];
  for (let i = 0; i < count; i++) {
    const question = work.question(pacing, teams);
    questions.push(question);
    await work.ask(question);
    await work.settle([question], 30_000);
    await sleep(gapMs);
  }
  return questions;
}
