/** Counts a model's token usage (and its estimated cost) as each answer's stream ends, without touching the stream. */
import type { Llm, LlmEvent, LlmRequest } from '../llm/llm';
import type { Metrics } from './metrics';

/**
 * Returns `llm` with `stream` reporting the usage of its final `done` event to `metrics.modelUsage(model, …)`.
 * Everything else (`close`, …) is `llm`'s own. Every model call goes through here, so callers never count usage.
 */
export function meterLlm<T extends Llm>(llm: T, model: string, metrics: Pick<Metrics, 'modelUsage'>): T {
  const metered = Object.create(llm) as T;
  metered.stream = async function* (request: LlmRequest, options: { signal: AbortSignal }): AsyncIterable<LlmEvent> {
    for await (const event of llm.stream(request, options)) {
      if (event.type === 'done' && event.usage) metrics.modelUsage(model, event.usage);
      yield event;
    }
  };
  return metered;
}
