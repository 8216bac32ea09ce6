import type { BatchRequest } from '../batch-request.js';

/** A request whose answer is short, so that tens of thousands stay quick. */
export function requestFor(customId: string, overrides: Partial<BatchRequest['params']> = {}): BatchRequest {
  return {
    custom_id: customId,
    params: {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: `Summarise item ${customId}.` }],
      ...overrides,
    },
  };
}

export function requestsFor(count: number, prefix = 'item'): BatchRequest[] {
  return Array.from({ length: count }, (_, index) => requestFor(`${prefix}-${index}`));
}
