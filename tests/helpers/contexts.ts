import type { Context } from '../../src/conversation/context';

/** A context for unit tests; override what the test is about. */
export function makeContext(overrides: Partial<Context> = {}): Context {
  return {
    name: 'IT support',
    file: 'default.md',
    channels: [],
    reply: 'mentions',
    suggestedPrompts: [],
    confidential: false,
    allowUsers: [],
    text: 'Laptops are MacBooks managed by Jamf. Reset passwords at https://id.example.com.',
    knowledgeOnly: false,
    ...overrides,
  };
}
