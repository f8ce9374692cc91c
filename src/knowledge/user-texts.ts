/** What people see while the guides are searched, and when a `knowledge_only` context has nothing to say. */

/** Status line while searching (assistant.threads.setStatus), e.g. "is searching the IT guides…". */
export function searchingStatus(contextName: string): string {
  return `is searching the ${contextName} guides…`;
}

/** The whole answer when a `knowledge_only` context's folder has nothing relevant (no model call). */
export const NOT_IN_GUIDES_REPLY =
  "I couldn't find this in the team's guides, so I'd rather not guess. Please ask the team directly.";
