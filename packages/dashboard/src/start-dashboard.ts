import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BucketLevels,
  type BulwarkEventListeners,
  type Bus,
  type Clock,
  defaultPriceOf,
  InvalidArgumentError,
  type ModelPrice,
  systemClock,
} from '@bulwark/core';
import { defineOptions, invalidArgument, option, parseOptions } from '@bulwark/core/internal';
import { allowed, isLoopback, tokenCookie } from './internal/access.js';
import { DashboardState } from './internal/dashboard-state.js';
import { FrameStream } from './internal/frame-stream.js';
import { DashboardMetrics } from './internal/metrics.js';
import { type Asset, loadAssets } from './internal/static-assets.js';

/** The levels of one model class, as the `bucketLevels` handle returns them. */
export interface ModelClassLevels {
  modelClass: string;
  levels: BucketLevels;
}

export interface DashboardOptions {
  /** The bus to watch: the page shows what its events say, nothing else. */
  bus: Bus;
  /** The port; 0 picks a free one (see `url`). @default 0 */
  port?: number;
  /** The address to listen on. Anything but loopback needs a `token`. @default '127.0.0.1' */
  host?: string;
  /** A secret every request must carry (`Authorization: Bearer`, `x-bulwark-token` or `?token=`). @default none */
  token?: string;
  /** The page's title. @default 'Bulwark' */
  title?: string;
  /** Prices for the costs; a model without one shows its cost as unknown. @default defaultPriceOf */
  pricesOf?: (model: string) => ModelPrice | undefined;
  /** Polled once a second for bucket levels, on top of those the bus reports (e.g. from `limiter.levels`). @default none */
  bucketLevels?: () => Iterable<ModelClassLevels> | Promise<Iterable<ModelClassLevels>>;
  /** Time and timers (frames, charts). @default systemClock */
  clock?: Clock;
}

/** A running dashboard. */
export interface Dashboard {
  /** Where to open it (with `?token=` when a token is set). */
  readonly url: string;
  /** Ends the event streams, stops listening and unsubscribes from the bus. */
  close(): Promise<void>;
}

const dashboardOptions = defineOptions<DashboardOptions>()({
  bus: option.instance<Bus>('a Bus', (value) => typeof (value as Bus).on === 'function'),
  port: option.number({ min: 0, max: 65_535, integer: true, default: 0 }),
  host: option.string({ default: '127.0.0.1' }),
  token: option.string(),
  title: option.string({ default: 'Bulwark' }),
  pricesOf: option.function<(model: string) => ModelPrice | undefined>(),
  bucketLevels: option.function<NonNullable<DashboardOptions['bucketLevels']>>(),
  clock: option.instance<Clock>('a Clock', (value) => typeof (value as Clock).now === 'function'),
});

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
};

/**
 * Starts the live dashboard for `bus`: `GET /` (the page), `GET /events` (the state stream,
 * Server-Sent Events), `GET /metrics` (Prometheus text) and `GET /healthz`. Listens on
 * 127.0.0.1 unless told otherwise, and then only with a `token`.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const settings = parseOptions('options', options, dashboardOptions);
  if (!settings.bus) throw invalidArgument('options.bus', 'a Bus', undefined);
  if (!isLoopback(settings.host) && settings.token === undefined) {
    throw new InvalidArgumentError({
      argument: 'options.token',
      value: undefined,
      message: `Listening on ${settings.host} (not loopback) needs a \`token\`: anyone who can reach it could read the dashboard`,
    });
  }
  const clock = settings.clock ?? systemClock;
  const state = new DashboardState(clock, settings.pricesOf ?? defaultPriceOf);
  const metrics = new DashboardMetrics(state);
  state.observer = metrics;
  const levelsPoller = pollLevels(settings.bucketLevels, state, clock);
  const frames = new FrameStream(state, clock, settings.title, () => {
    state.requests.sweep(clock.now());
    levelsPoller();
  });
  const unsubscribe = subscribe(settings.bus, [state.listeners(), metrics.listeners()]);
  const assets = await loadAssets();
  const server = createServer((request, response) =>
    handle(request, response, { assets, frames, metrics, token: settings.token }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => resolve());
    });
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const query = settings.token === undefined ? '' : `?token=${encodeURIComponent(settings.token)}`;
  return {
    url: `http://${hostInUrl}:${port}/${query}`,
    close: () => closeServer(server, frames, unsubscribe),
  };
}

async function closeServer(server: Server, frames: FrameStream, unsubscribe: () => void): Promise<void> {
  unsubscribe();
  frames.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function subscribe(bus: Bus, listenerMaps: Array<Partial<BulwarkEventListeners>>): () => void {
  const subscriptions = listenerMaps.flatMap((listeners) => Object.entries(listeners));
  for (const [name, listener] of subscriptions)
    bus.on(name as keyof BulwarkEventListeners, listener as never);
  return () => {
    for (const [name, listener] of subscriptions)
      bus.off(name as keyof BulwarkEventListeners, listener as never);
  };
}

/** Calls the `bucketLevels` handle at most once a second, one call at a time. */
function pollLevels(
  handle: DashboardOptions['bucketLevels'],
  state: DashboardState,
  clock: Clock,
): () => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let pending = false;
  return () => {
    if (!handle || pending || clock.now() - lastAt < 1000) return;
    lastAt = clock.now();
    pending = true;
    Promise.resolve()
      .then(handle)
      .then((all) => {
        for (const { modelClass, levels } of all) state.updateLevels(modelClass, levels);
      })
      // A failing handle only costs the extra levels: those the bus reports still show.
      .catch(() => undefined)
      .finally(() => {
        pending = false;
      });
  };
}

interface Handlers {
  assets: Map<string, Asset>;
  frames: FrameStream;
  metrics: DashboardMetrics;
  token: string | undefined;
}

function handle(request: IncomingMessage, response: ServerResponse, handlers: Handlers): void {
  const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
  for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
  if (!allowed(request, url, handlers.token)) {
    response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
    return;
  }
  if (url.pathname === '/events') {
    const lastEventId = request.headers['last-event-id'];
    handlers.frames.connect(response, typeof lastEventId === 'string' ? lastEventId : undefined);
    return;
  }
  if (url.pathname === '/metrics') {
    handlers.metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': handlers.metrics.registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(`metrics failed: ${String(error)}\n`),
    );
    return;
  }
  if (url.pathname === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(
      JSON.stringify({
        status: 'ok',
        clients: handlers.frames.clientCount,
        lastEventId: handlers.frames.lastEventId,
      }),
    );
    return;
  }
  const asset = handlers.assets.get(url.pathname);
  if (!asset) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  const headers: Record<string, string> = { 'content-type': asset.contentType, 'cache-control': 'no-cache' };
  // The page's own requests (scripts, the event stream) then carry the token without putting it in the page.
  if (handlers.token !== undefined && url.pathname === '/') {
    headers['set-cookie'] =
      `${tokenCookie}=${encodeURIComponent(handlers.token)}; HttpOnly; SameSite=Strict; Path=/`;
  }
  response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : asset.body);
}
