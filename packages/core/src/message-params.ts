import { expectNumber, expectObject, expectString, invalidArgument } from './validate.js';

/**
 * Checks a Messages API request before any network call: a model, a non-empty list of
 * messages with roles and content, an integer `max_tokens` >= 1, and a thinking budget of at
 * least 1,024 that stays below `max_tokens`. Other fields pass through to the API as they are.
 * `argument` names the request in messages (`params`, `requests[3].params`).
 */
export function checkMessageParams(params: unknown, argument = 'params'): void {
  const request = expectObject(argument, params);
  expectString(`${argument}.model`, request.model);
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidArgument(`${argument}.messages`, 'a non-empty array of messages', messages);
  }
  messages.forEach((message: unknown, index) => {
    const entry = expectObject(`${argument}.messages[${index}]`, message);
    if (entry.role !== 'user' && entry.role !== 'assistant') {
      throw invalidArgument(`${argument}.messages[${index}].role`, '`user` or `assistant`', entry.role);
    }
    if (typeof entry.content !== 'string' && !Array.isArray(entry.content)) {
      throw invalidArgument(
        `${argument}.messages[${index}].content`,
        'a string or an array of blocks',
        entry.content,
      );
    }
  });
  const maxTokens = expectNumber(`${argument}.max_tokens`, request.max_tokens, { integer: true, min: 1 });
  if (request.stream !== undefined && request.stream !== null && typeof request.stream !== 'boolean') {
    throw invalidArgument(`${argument}.stream`, 'a boolean', request.stream);
  }
  if (request.thinking !== undefined && request.thinking !== null) {
    const thinking = expectObject(`${argument}.thinking`, request.thinking);
    if (thinking.type === 'enabled') {
      const budget = expectNumber(`${argument}.thinking.budget_tokens`, thinking.budget_tokens, {
        integer: true,
        min: 1024,
      });
      if (budget >= maxTokens) {
        throw invalidArgument(
          `${argument}.thinking.budget_tokens`,
          `an integer below \`${argument}.max_tokens\` (${maxTokens})`,
          budget,
        );
      }
    }
  }
}
