import type { RouteContext } from '../exchange.js';
import { sendJson } from '../replies.js';
import type { Route } from '../router.js';
import { prepareRequest } from './prepare-request.js';

/** `POST /v1/messages/count_tokens`: `{ input_tokens }` by the server's tokenizer; not rate-limited. */
export const countTokensRoute: Route = {
  method: 'POST',
  path: '/v1/messages/count_tokens',
  body: 'json',
  handle: handleCountTokens,
};

async function handleCountTokens(context: RouteContext): Promise<void> {
  const prepared = await prepareRequest(context, { countOnly: true });
  if (!prepared) return;
  context.entry.inputTokens = prepared.inputTokens;
  context.state.stats.completed += 1;
  sendJson(context, JSON.stringify({ input_tokens: prepared.inputTokens }));
}
