const opening = 'Your previous response was interrupted and ended with:\n<previous_response>\n';
const closing =
  '\n</previous_response>\nContinue from exactly where you left off, without repeating anything.';

/**
 * The user turn that asks a model to continue an interrupted response, for models that refuse
 * prefill (Claude 4.6 and later): it says the previous response was interrupted, quotes how it
 * ended, and asks to continue from there. It is appended after the original messages.
 * `@bulwark/stream` sends it and `@bulwark/testing` recognises it, so both use this one text.
 */
export function buildContinuationPrompt(partialText: string): string {
  return `${opening}${partialText}${closing}`;
}

/**
 * The partial text quoted in a continuation turn built by `buildContinuationPrompt`, or
 * `undefined` when `text` is not such a turn.
 */
export function parseContinuationPrompt(text: string): string | undefined {
  if (!text.startsWith(opening) || !text.endsWith(closing)) return undefined;
  if (text.length < opening.length + closing.length) return undefined;
  return text.slice(opening.length, text.length - closing.length);
}
