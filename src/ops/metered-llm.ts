/** Counts a model's token usage (and its estimated cost) as each answer's stream ends, without touching the stream. */
import type { Llm, LlmEvent, LlmUsage } from '../llm/llm';
import type { Metrics } from './metrics';

/**
 * Returns `llm` with `stream` reporting the usage of its final `done` event to `metrics.modelUsage(model, …)`.
 * Everything else (`close`, …) is `llm`'s own. Every model call goes through here, so callers never count usage.
 */
export function meterLlm<T extends Llm>(llm: T, model: string, metrics: Pick<Metrics, 'modelUsage'>): T {
  const metered = Object.create(llm) as T;
  metered.stream = (request, options) =>
    reportingUsage(llm.stream(request, options), (usage) => metrics.modelUsage(model, usage));
  return metered;
}

/**
 * The events of `source` as they come, reporting a `done` event's usage on its way past. A plain iterator rather than
 * an async generator: it sits on the path of every model delta, where a generator layer costs its own promises and
 * turns per delta. Leaving early (`break`, a throw) closes `source`, as a `for await` over it would.
 */
function reportingUsage(source: AsyncIterable<LlmEvent>, report: (usage: LlmUsage) => void): AsyncIterable<LlmEvent> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      const seen = (next: IteratorResult<LlmEvent>) => {
        if (!next.done && next.value.type === 'done' && next.value.usage) report(next.value.usage);
        return next;
      };
      return {
        next: () => iterator.next().then(seen),
        return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
}
