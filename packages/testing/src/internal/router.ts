import type { ApiFailure } from './api-error.js';
import type { RouteContext } from './exchange.js';

/** One endpoint of the mock: a method and a path pattern, and the handler that answers it. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Literal segments and `:name` parameters, e.g. `/v1/messages/batches/:id/results`. */
  readonly path: string;
  /**
   * `json`: the body must be JSON (else 400 `invalid_request_error`) and reaches the handler as
   * `context.body`; `none`: the body is read (for the size limit) but not parsed.
   */
  readonly body: 'json' | 'none';
  /** Answers the request. A throw before headers becomes a 500 `api_error`, after them a destroyed socket. */
  handle(context: RouteContext): Promise<void>;
}

/** A route found for a request, or the 404 / 405 answer when none is. */
export type RouteMatch =
  | { route: Route; params: Record<string, string>; failure?: undefined }
  | { failure: ApiFailure };

interface CompiledRoute {
  route: Route;
  /** Path segments; a `:name` segment matches any non-empty segment. */
  segments: string[];
}

function paramsOf(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index] as string;
    const actual = segments[index] as string;
    if (expected.startsWith(':')) {
      if (actual.length === 0) return undefined;
      params[expected.slice(1)] = actual;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route of a request: the first registered route whose path and method match.
 * A path that matches with another method answers 405 (with `allow`), any other 404, both in
 * the API's error shape.
 */
export class Router {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.path.split('/') }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = path.split('/');
    const allowed: string[] = [];
    for (const { route, segments: pattern } of this.#routes) {
      const params = paramsOf(pattern, segments);
      if (params === undefined) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    if (allowed.length > 0) {
      return {
        failure: {
          status: 405,
          type: 'invalid_request_error',
          message: `${method} ${path} is not allowed; use ${allowed.join(' or ')}`,
          headers: { allow: allowed.join(', ') },
        },
      };
    }
    return { failure: { status: 404, type: 'not_found_error', message: `${method} ${path} not found` } };
  }
}
