/** The bot's Prometheus metrics: one private registry behind a small typed facade the rest of the code calls. */
import type * as PromClient from 'prom-client';
import type { LlmUsage } from '../llm/llm';
import { billedTokens, DEFAULT_PRICES, estimateCost, type PriceTable } from './prices';

/** How a question ended. Every outcome is exported at 0 from the start, so rates and alerts work before the first. */
export const QUESTION_OUTCOMES = [
  'answered',
  'failed',
  'refused',
  'duplicate',
  'handed_off',
  'rate_limited',
  'over_budget',
  'timed_out',
] as const;
export type QuestionOutcome = (typeof QUESTION_OUTCOMES)[number];

/** One Slack Web API call's result: `rate_limited` counts each HTTP 429, `ok` / `error` each call's final result. */
export type SlackCallResult = 'ok' | 'rate_limited' | 'error';

/** What the bot reports; every method is a bound function, safe to pass around as a callback. */
export interface Metrics {
  /** One question ended with this outcome. */
  question(outcome: QuestionOutcome): void;
  /** Seconds from the question's arrival to the first words the asker could see. */
  firstVisible(seconds: number): void;
  /** Seconds from the question's arrival to the finished answer. */
  answered(seconds: number): void;
  /** Tokens one model call used, and their estimated cost from the price table. */
  modelUsage(model: string, usage: LlmUsage): void;
  /** One Slack Web API call (or one 429). */
  slackCall(method: string, result: SlackCallResult): void;
  /** One store operation and how long it took. */
  storeOp(op: string, seconds: number): void;
  /** Answers under way went up (+1) or down (-1). */
  inFlight(delta: number): void;
  /** The Socket Mode client is trying to reconnect. */
  socketReconnect(): void;
  /** Whether the Socket Mode connection is up now. */
  socketConnected(connected: boolean): void;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
  /** The content type of `text()`. */
  readonly contentType: string;
}

export interface MetricsOptions {
  /** USD per 1M tokens by model; defaults to the built-in estimates. */
  prices?: PriceTable;
  /** Also collect the process's default metrics (heap, event-loop lag, GC…); on by default. */
  defaultMetrics?: boolean;
}

const PREFIX = 'support_bot_';
const ANSWER_BUCKETS = [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 180];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Metrics that count nothing: what a bot without an ops server (HTTP_PORT unset) reports to, at no cost. */
export const NO_METRICS: Metrics = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  question() {},
  firstVisible() {},
  answered() {},
  modelUsage() {},
  slackCall() {},
  storeOp() {},
  inFlight() {},
  socketReconnect() {},
  socketConnected() {},
  text: async () => '',
};

/**
 * Builds the metrics on a registry of their own, so that several bots (or tests) in one process never clash.
 * prom-client (with its dependencies, several MB of RSS) is loaded here, only by a bot that serves /metrics.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = require('prom-client') as typeof PromClient;
  const registry = new Registry();
  const registers = [registry];
  const prices = options.prices ?? DEFAULT_PRICES;
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const questions = new Counter({
    name: `${PREFIX}questions_total`,
    help: 'Questions handled, by outcome',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of QUESTION_OUTCOMES) questions.inc({ outcome }, 0);
  const firstVisible = new Histogram({
    name: `${PREFIX}first_visible_seconds`,
    help: "Seconds from a question's arrival to the first words of its answer in Slack",
    buckets: ANSWER_BUCKETS,
    registers,
  });
  const answer = new Histogram({
    name: `${PREFIX}answer_seconds`,
    help: "Seconds from a question's arrival to its finished answer",
    buckets: ANSWER_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}model_tokens_total`,
    help: 'Model tokens by kind: input (not cached), cached (input read from the prompt cache), output',
    labelNames: ['model', 'kind'],
    registers,
  });
  const cost = new Counter({
    name: `${PREFIX}estimated_cost_usd_total`,
    help: 'Estimated model cost in US dollars, from the price table (an estimate, not a bill)',
    labelNames: ['model'],
    registers,
  });
  const slack = new Counter({
    name: `${PREFIX}slack_calls_total`,
    help: 'Slack Web API calls by method and result (rate_limited counts each HTTP 429)',
    labelNames: ['method', 'result'],
    registers,
  });
  const store = new Histogram({
    name: `${PREFIX}store_seconds`,
    help: 'Store operations by name, in seconds',
    labelNames: ['op'],
    buckets: STORE_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({ name: `${PREFIX}answers_in_flight`, help: 'Answers under way', registers });
  const reconnects = new Counter({
    name: `${PREFIX}socket_reconnects_total`,
    help: 'Socket Mode reconnection attempts',
    registers,
  });
  const connected = new Gauge({
    name: `${PREFIX}socket_connected`,
    help: '1 while the Socket Mode connection is up, else 0',
    registers,
  });

  return {
    contentType: registry.contentType,
    question: (outcome) => questions.inc({ outcome }),
    firstVisible: (seconds) => firstVisible.observe(seconds),
    answered: (seconds) => answer.observe(seconds),
    modelUsage: (model, usage) => {
      const billed = billedTokens(usage);
      tokens.inc({ model, kind: 'input' }, billed.input);
      tokens.inc({ model, kind: 'cached' }, billed.cached);
      tokens.inc({ model, kind: 'output' }, billed.output);
      cost.inc({ model }, estimateCost(prices, model, usage));
    },
    slackCall: (method, result) => slack.inc({ method, result }),
    storeOp: (op, seconds) => store.observe({ op }, seconds),
    inFlight: (delta) => (delta >= 0 ? inFlight.inc(delta) : inFlight.dec(-delta)),
    socketReconnect: () => reconnects.inc(),
    socketConnected: (up) => connected.set(up ? 1 : 0),
    text: () => registry.metrics(),
  };
}
