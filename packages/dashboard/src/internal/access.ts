import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const tokenCookie = 'bulwark_dashboard_token';

const loopbackNames = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `host` only listens on this machine. */
export function isLoopback(host: string): boolean {
  return loopbackNames.has(host) || host.startsWith('127.');
}

function sameSecret(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The token a request carries: `Authorization: Bearer`, `x-bulwark-token`, `?token=` or the cookie. */
function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  const header = request.headers['x-bulwark-token'];
  if (typeof header === 'string') return header;
  const query = url.searchParams.get('token');
  if (query !== null) return query;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookie) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Whether a request may be answered. With a token, it must carry it. Without one (loopback
 * only), its `Host` must name a loopback address, so a web page cannot reach the dashboard by
 * pointing its own name at 127.0.0.1 (DNS rebinding).
 */
export function allowed(request: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token !== undefined) {
    const given = tokenOf(request, url);
    return given !== undefined && sameSecret(given, token);
  }
  const hostHeader = request.headers.host ?? '';
  const hostname = hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.split(':')[0]!;
  return isLoopback(hostname);
}
