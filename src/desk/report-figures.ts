/** The desk's figures per context and kind of channel, from the stored records: what the report and Home tab show. */
import { estimateCost, type PriceTable } from '../ops/prices';
import type { ChannelKind, DeskThread, FeedbackRecord, QuestionRecord } from '../store/desk-book';
import { kindOfChannel } from './desk';

/** One row of the report. `channelKind` and `context` are `all` on the totals row. */
export interface DeskFigures {
  context: string;
  channelKind: ChannelKind | 'all';
  questions: number;
  answered: number;
  failed: number;
  refused: number;
  helpful: number;
  notHelpful: number;
  handedOff: number;
  resolved: number;
  steppedBack: number;
  /** Answered, no 👎, thread not handed off. */
  deflected: number;
  /** deflected / questions, 0..1; null without questions. */
  deflectionRate: number | null;
  firstVisibleMedianMs: number | null;
  firstVisibleP90Ms: number | null;
  tokensIn: number;
  tokensCached: number;
  tokensOut: number;
  /** USD, from the price table; models without a price count 0. */
  estimatedCostUsd: number;
}

/** The records a report reads. */
export interface DeskRecords {
  questions: QuestionRecord[];
  feedback: FeedbackRecord[];
  threads: DeskThread[];
}

/** Nearest-rank percentile of sorted values; null for none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function row(
  context: string,
  channelKind: DeskFigures['channelKind'],
  records: DeskRecords,
  cost: (q: QuestionRecord) => number,
) {
  const { questions, feedback, threads } = records;
  const down = new Set(feedback.filter((f) => f.value === 'down').map((f) => `${f.channel}:${f.answerTs}`));
  const handedOff = new Set(threads.filter((t) => t.handedOff).map((t) => t.key));
  const answered = questions.filter((q) => q.outcome === 'answered');
  const deflected = answered.filter((q) => !down.has(`${q.channel}:${q.answerTs}`) && !handedOff.has(q.thread));
  const visible = questions.flatMap((q) => q.firstVisibleMs ?? []).sort((a, b) => a - b);
  const sum = (pick: (q: QuestionRecord) => number) => questions.reduce((total, q) => total + pick(q), 0);
  return {
    context,
    channelKind,
    questions: questions.length,
    answered: answered.length,
    failed: questions.filter((q) => q.outcome === 'failed').length,
    refused: questions.filter((q) => q.outcome === 'refused').length,
    helpful: feedback.filter((f) => f.value === 'up').length,
    notHelpful: feedback.filter((f) => f.value === 'down').length,
    handedOff: handedOff.size,
    resolved: threads.filter((t) => t.resolved).length,
    steppedBack: threads.filter((t) => t.steppedBack).length,
    deflected: deflected.length,
    deflectionRate: questions.length > 0 ? deflected.length / questions.length : null,
    firstVisibleMedianMs: percentile(visible, 0.5),
    firstVisibleP90Ms: percentile(visible, 0.9),
    tokensIn: sum((q) => q.tokensIn),
    tokensCached: sum((q) => q.tokensCached),
    tokensOut: sum((q) => q.tokensOut),
    estimatedCostUsd: Math.round(sum(cost) * 1e6) / 1e6,
  } satisfies DeskFigures;
}

/** One row per context and channel kind seen (sorted), then the totals row; `context` limits it to one context. */
export function deskFigures(records: DeskRecords, prices: PriceTable, defaultModel: string, context?: string) {
  const only = <T extends { context: string }>(list: T[]) =>
    context ? list.filter((r) => r.context === context) : list;
  const all: DeskRecords = {
    questions: only(records.questions),
    feedback: only(records.feedback),
    threads: only(records.threads),
  };
  const cost = (q: QuestionRecord) =>
    estimateCost(prices, q.model ?? defaultModel, {
      inputTokens: q.tokensIn,
      cachedTokens: q.tokensCached,
      outputTokens: q.tokensOut,
    });
  // Button clicks and reactions carry no channel type, so their records guess it from the id ("D…" is a DM, the
  // rest a channel); a question record has the message's own. Where one exists, it says what the channel is.
  const channelKinds = new Map(records.questions.map((q) => [q.channel, q.channelKind]));
  const threadKinds = new Map(records.questions.map((q) => [q.thread, q.channelKind]));
  const feedbackKind = (f: FeedbackRecord) => channelKinds.get(f.channel) ?? kindOfChannel(f.channel);
  const threadKind = (t: DeskThread) => threadKinds.get(t.key) ?? t.channelKind;
  const groups = new Set([
    ...all.questions.map((q) => `${q.context}\u0000${q.channelKind}`),
    ...all.feedback.map((f) => `${f.context}\u0000${feedbackKind(f)}`),
    ...all.threads.map((t) => `${t.context}\u0000${threadKind(t)}`),
  ]);
  const rows = [...groups].sort().map((group) => {
    const [name, kind] = group.split('\u0000') as [string, ChannelKind];
    const part: DeskRecords = {
      questions: all.questions.filter((q) => q.context === name && q.channelKind === kind),
      feedback: all.feedback.filter((f) => f.context === name && feedbackKind(f) === kind),
      threads: all.threads.filter((t) => t.context === name && threadKind(t) === kind),
    };
    return row(name, kind, part, cost);
  });
  return [...rows, row(context ?? 'all', 'all', all, cost)];
}
