import { batchRoutes } from './endpoints/batches.js';
import { countTokensRoute } from './endpoints/count-tokens.js';
import { messagesRoute } from './endpoints/messages.js';
import type { Route } from './router.js';

/**
 * Every endpoint the mock answers. Adding one: write `src/internal/endpoints/<name>.ts` that
 * exports a `Route` (method, path with `:name` parameters, `body: 'json' | 'none'`, and a
 * `handle(context)` that answers through `sendJson` / `sendFailure` and records what it did on
 * `context.entry` and `context.state`), then add it to this list: one line. The dispatcher has
 * already logged the request, checked the body size and the key, and parsed the JSON; the
 * router answers 404 and 405. State an endpoint keeps across requests (batches, say) goes in
 * `MockServerState`, cleared by its `reset()`. See the README's "Contributing" section.
 */
export const routes: readonly Route[] = [messagesRoute, countTokensRoute, ...batchRoutes];
