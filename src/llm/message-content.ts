/** How a message with images is written for each API: text first, then the images as data: URLs. */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ResponseInputItem } from 'openai/resources/responses/responses';
import type { LlmMessage, LlmRequest } from './llm';

/** Responses API: a plain string, or input_text + input_image parts for a user message with images. */
export function responsesContent(message: LlmMessage): ResponseInputItem {
  if (message.role === 'assistant' || !message.images?.length) return { role: message.role, content: message.content };
  return {
    role: 'user',
    content: [
      { type: 'input_text', text: message.content },
      ...message.images.map((image) => ({
        type: 'input_image' as const,
        image_url: image.dataUrl,
        detail: 'auto' as const,
      })),
    ],
  };
}

/** Chat Completions: a plain string, or text + image_url parts for a user message with images. */
export function chatContent(message: LlmMessage): ChatCompletionMessageParam {
  if (message.role === 'assistant' || !message.images?.length) return { role: message.role, content: message.content };
  return {
    role: 'user',
    content: [
      { type: 'text', text: message.content },
      ...message.images.map((image) => ({ type: 'image_url' as const, image_url: { url: image.dataUrl } })),
    ],
  };
}

export function hasImages(request: LlmRequest): boolean {
  return request.messages.some((message) => (message.images?.length ?? 0) > 0);
}

/** The same request with every image left out. */
export function withoutImages(request: LlmRequest): LlmRequest {
  if (!hasImages(request)) return request;
  return { ...request, messages: request.messages.map(({ images: _images, ...message }) => message) };
}
