import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMetrics } from '../../src/ops/metrics';
import { DEFAULT_PRICES, estimateCost, loadPrices } from '../../src/ops/prices';
import { scratchDir } from '../helpers/scratch-dir';
import { parsePromText, sampleValue } from './prom-text';

async function samples(metrics: ReturnType<typeof createMetrics>) {
  return parsePromText(await metrics.text());
}

describe('metrics', () => {
  it('counts tokens by kind, cached input apart from the rest, and their estimated cost', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.modelUsage('gpt-5.4-mini', { inputTokens: 10_000, cachedTokens: 8_000, outputTokens: 1_000 });
    const s = await samples(metrics);
    const tokens = (kind: string) => sampleValue(s, 'support_bot_model_tokens_total', { model: 'gpt-5.4-mini', kind });
    expect([tokens('input'), tokens('cached'), tokens('output')]).toEqual([2_000, 8_000, 1_000]);
    // 2,000 × $0.75 + 8,000 × $0.075 + 1,000 × $4.50, per million.
    const cost = sampleValue(s, 'support_bot_estimated_cost_usd_total', { model: 'gpt-5.4-mini' });
    expect(cost).toBeCloseTo(0.0066, 10);
  });

  it('prices a dated model name as its undated one, and an unknown model at 0 while still counting its tokens', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(estimateCost(DEFAULT_PRICES, 'gpt-5.4-mini-2026-03-17', usage)).toBe(0.75);
    expect(estimateCost(DEFAULT_PRICES, 'llama3.1:8b', usage)).toBe(0);
  });

  it("takes the operator's prices over the built-in ones, model by model", () => {
    const file = path.join(scratchDir('prices'), 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({ 'gpt-5.4-mini': { input: 1, output: 2 }, 'my-model': { input: 3, cached: 0.3, output: 9 } }),
    );
    const prices = loadPrices(file);
    expect(prices['gpt-5.4-mini']).toEqual({ input: 1, cached: 1, output: 2 });
    expect(prices['my-model']).toEqual({ input: 3, cached: 0.3, output: 9 });
    expect(prices['gpt-5.4']).toEqual(DEFAULT_PRICES['gpt-5.4']);
  });

  it('names MODEL_PRICES_FILE when the file is missing, not JSON, or holds a wrong price', () => {
    const dir = scratchDir('prices');
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    expect(() => loadPrices(path.join(dir, 'missing.json'))).toThrow(/MODEL_PRICES_FILE .*cannot be read: ENOENT/);
    expect(() => loadPrices(write('bad.json', '{nope'))).toThrow(/MODEL_PRICES_FILE .*not valid JSON/);
    expect(() => loadPrices(write('neg.json', '{"m":{"input":-1,"output":1}}'))).toThrow(
      /MODEL_PRICES_FILE .*m\.input/,
    );
  });

  it('exports every question outcome at 0 before the first question, and counts each', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.question('duplicate');
    metrics.question('duplicate');
    const s = await samples(metrics);
    expect(sampleValue(s, 'support_bot_questions_total', { outcome: 'duplicate' })).toBe(2);
    for (const outcome of ['answered', 'failed', 'refused', 'handed_off', 'rate_limited', 'over_budget']) {
      expect(sampleValue(s, 'support_bot_questions_total', { outcome })).toBe(0);
    }
  });

  it('records timings, answers in flight and socket state', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.firstVisible(0.8);
    metrics.answered(4.2);
    metrics.storeOp('load', 0.002);
    metrics.inFlight(1);
    metrics.inFlight(1);
    metrics.inFlight(-1);
    metrics.socketReconnect();
    metrics.socketConnected(true);
    const s = await samples(metrics);
    expect(sampleValue(s, 'support_bot_first_visible_seconds_bucket', { le: '1' })).toBe(1);
    expect(sampleValue(s, 'support_bot_first_visible_seconds_bucket', { le: '0.5' })).toBe(0);
    expect(sampleValue(s, 'support_bot_answer_seconds_sum')).toBe(4.2);
    expect(sampleValue(s, 'support_bot_store_seconds_count', { op: 'load' })).toBe(1);
    expect(sampleValue(s, 'support_bot_answers_in_flight')).toBe(1);
    expect(sampleValue(s, 'support_bot_socket_reconnects_total')).toBe(1);
    expect(sampleValue(s, 'support_bot_socket_connected')).toBe(1);
  });

  it('keeps two bots in one process apart: each has its own registry', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.question('answered');
    expect(sampleValue(await samples(one), 'support_bot_questions_total', { outcome: 'answered' })).toBe(1);
    expect(sampleValue(await samples(two), 'support_bot_questions_total', { outcome: 'answered' })).toBe(0);
  });
});
