import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modelClassOf } from '@bulwark/core';
import { invalidArgument, sleep } from '@bulwark/core/internal';
import type { Fault, FaultPlan } from './fault.js';
import {
  type ApiFailure,
  defaultMessageFor,
  errorBody,
  errorTypeForStatus,
  invalidRequest,
} from './internal/api-error.js';
import { parseFault, parseFaultPlan, plannedFault } from './internal/faults.js';
import { messageFrames, messageJson } from './internal/message-body.js';
import { isApiFailure, type MessagesRequest, parseMessagesRequest } from './internal/messages-request.js';
import { parseMockServerOptions } from './internal/options.js';
import { randomFor, randomId } from './internal/random.js';
import { RateLimiter } from './internal/rate-limiter.js';
import { ResponseGenerator } from './internal/response-plan.js';
import { writeStream, writeThenDestroy } from './internal/response-writer.js';
import type { MockServer, MockServerStats, RequestLogEntry } from './mock-server.js';
import type { MockServerOptions } from './mock-server-options.js';
import { createServerTokenizer } from './server-tokenizer.js';

const maximumBodyBytes = 64 * 1024 * 1024;

function emptyStats(): MockServerStats {
  return {
    requests: 0,
    messages: 0,
    streams: 0,
    completed: 0,
    faults: 0,
    rateLimited: 0,
    byStatus: {},
    inputTokens: 0,
    outputTokens: 0,
  };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maximumBodyBytes) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > maximumBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function authorized(request: IncomingMessage, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  if (request.headers['x-api-key'] === apiKey) return true;
  return request.headers.authorization === `Bearer ${apiKey}`;
}

/**
 * Starts a Messages API server on 127.0.0.1 that the real `@anthropic-ai/sdk` talks to through
 * `baseURL`: `POST /v1/messages` (JSON and SSE) and `POST /v1/messages/count_tokens`, with
 * deterministic answers, exact continuation, rate limits and injected faults.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const settings = parseMockServerOptions(options);
  const { clock, seed } = settings;
  const tokenizer = createServerTokenizer(settings.tokenizer);
  const generator = new ResponseGenerator({ seed, outputTokens: settings.outputTokens });
  const rateLimiter = new RateLimiter(clock, (modelClass) => ({
    ...settings.rateLimits,
    ...settings.rateLimitsByModelClass[modelClass],
  }));
  let faultPlan: FaultPlan = settings.faults;
  const log: RequestLogEntry[] = [];
  let stats = emptyStats();
  let requestCounter = 0;
  let messageCounter = 0;
  let spendLimitReached = false;
  const active = new Set<AbortController>();

  const finish = (entry: RequestLogEntry, status: number): void => {
    entry.status = status;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  };

  const sendFailure = (
    response: ServerResponse,
    entry: RequestLogEntry,
    failure: ApiFailure,
    extraHeaders: Record<string, string> = {},
  ): void => {
    const body = errorBody(failure, entry.requestId);
    entry.errorType = failure.type;
    finish(entry, failure.status);
    response.writeHead(failure.status, {
      ...extraHeaders,
      ...failure.headers,
      'request-id': entry.requestId,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };

  const faultFailure = (fault: Extract<Fault, { kind: 'status' }>): ApiFailure => {
    const type = fault.errorType ?? errorTypeForStatus(fault.status);
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    const shouldRetry = fault.shouldRetry ?? (fault.status === 529 ? true : undefined);
    if (shouldRetry !== undefined) headers['x-should-retry'] = String(shouldRetry);
    return { status: fault.status, type, message: defaultMessageFor(type), headers };
  };

  const spendLimitFailure: ApiFailure = {
    status: 429,
    type: 'rate_limit_error',
    message:
      'You have reached your specified workspace API usage limits. You will regain access on the first of next month.',
    details: { error_code: 'enforced_spend_limit_reached' },
  };

  /** Faults answered before any validation: the connection or the status line itself fails. */
  const applyEarlyFault = async (
    fault: Fault,
    response: ServerResponse,
    entry: RequestLogEntry,
    signal: AbortSignal,
  ): Promise<'answered' | 'continue'> => {
    switch (fault.kind) {
      case 'reset_before_headers':
        finish(entry, 0);
        writeThenDestroy(response, '');
        return 'answered';
      case 'status':
        sendFailure(response, entry, faultFailure(fault));
        return 'answered';
      case 'spend_limit':
        spendLimitReached = true;
        sendFailure(response, entry, spendLimitFailure);
        return 'answered';
      case 'slow_headers':
        await sleep(clock, fault.delayMs, signal);
        return 'continue';
      default:
        return 'continue';
    }
  };

  const handleMessages = async (
    request: IncomingMessage,
    response: ServerResponse,
    entry: RequestLogEntry,
    body: unknown,
    signal: AbortSignal,
    countOnly: boolean,
  ): Promise<void> => {
    let fault: Fault | undefined;
    const headerFault = request.headers['x-bulwark-fault'];
    if (typeof headerFault === 'string') {
      try {
        fault = parseFault('x-bulwark-fault', JSON.parse(headerFault));
      } catch (error) {
        sendFailure(response, entry, invalidRequest(`x-bulwark-fault: ${(error as Error).message}`));
        return;
      }
    }
    if (!countOnly) {
      messageCounter += 1;
      stats.messages += 1;
      entry.messageIndex = messageCounter;
      fault ??= plannedFault(faultPlan, seed, messageCounter);
    }
    if (spendLimitReached) {
      sendFailure(response, entry, spendLimitFailure);
      return;
    }
    if (fault) {
      entry.fault = fault;
      stats.faults += 1;
      if ((await applyEarlyFault(fault, response, entry, signal)) === 'answered') return;
    }
    const parsed = parseMessagesRequest(body, { countOnly });
    if (isApiFailure(parsed)) {
      sendFailure(response, entry, parsed);
      return;
    }
    entry.model = parsed.model;
    entry.continuation = parsed.continuation;
    const inputTokens = tokenizer.countRequest(body);
    const modelClass = modelClassOf(parsed.model) ?? parsed.model;
    if (countOnly) {
      entry.inputTokens = inputTokens;
      const json = JSON.stringify({ input_tokens: inputTokens });
      finish(entry, 200);
      stats.completed += 1;
      response.writeHead(200, {
        'request-id': entry.requestId,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
      response.end(json);
      return;
    }
    entry.stream = parsed.stream;
    if (parsed.stream) stats.streams += 1;
    const refusal = rateLimiter.admit(modelClass, inputTokens);
    if (refusal) {
      stats.rateLimited += 1;
      const what = refusal.bucket === 'requests' ? 'requests' : refusal.bucket.replace('-', ' ');
      sendFailure(
        response,
        entry,
        {
          status: 429,
          type: 'rate_limit_error',
          message: `This request would exceed your organization's rate limit of ${refusal.limit} ${what} per minute (model class ${modelClass}). For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
          headers: { 'retry-after': String(refusal.retryAfterSeconds) },
        },
        rateLimiter.headers(modelClass),
      );
      return;
    }
    entry.inputTokens = inputTokens;
    stats.inputTokens += inputTokens;
    const headers = { ...rateLimiter.headers(modelClass), 'request-id': entry.requestId };
    const plan = generator.plan(parsed, messageCounter);
    try {
      if (parsed.stream) {
        finish(entry, 200);
        response.writeHead(200, {
          ...headers,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
        });
        const completed = await writeStream(
          {
            response,
            entry,
            clock,
            signal,
            tokensPerSecond: settings.tokensPerSecond,
            pingIntervalMs: settings.pingIntervalMs,
          },
          messageFrames(plan, parsed.model, inputTokens),
          fault,
        );
        if (completed) stats.completed += 1;
        return;
      }
      await writeJson(
        response,
        entry,
        headers,
        messageJson(plan, parsed.model, inputTokens),
        fault,
        plan.outputTokens,
        signal,
      );
    } finally {
      rateLimiter.recordOutput(modelClass, entry.outputTokens);
      stats.outputTokens += entry.outputTokens;
    }
  };

  const writeJson = async (
    response: ServerResponse,
    entry: RequestLogEntry,
    headers: Record<string, string>,
    json: string,
    fault: Fault | undefined,
    outputTokens: number,
    signal: AbortSignal,
  ): Promise<void> => {
    const half = json.slice(0, Math.floor(json.length / 2));
    switch (fault?.kind) {
      case 'error_event': {
        const type = fault.errorType ?? 'overloaded_error';
        sendFailure(
          response,
          entry,
          faultFailure({ kind: 'status', status: type === 'api_error' ? 500 : 529, errorType: type }),
          headers,
        );
        return;
      }
      case 'drop':
        finish(entry, 200);
        response.writeHead(200, { ...headers, 'content-type': 'application/json' });
        entry.outputTokens = outputTokens;
        writeThenDestroy(response, half);
        return;
      case 'close_without_stop':
      case 'malformed':
        finish(entry, 200);
        response.writeHead(200, { ...headers, 'content-type': 'application/json' });
        entry.outputTokens = outputTokens;
        response.end(half);
        return;
      case 'stall':
        finish(entry, 200);
        response.writeHead(200, { ...headers, 'content-type': 'application/json' });
        response.flushHeaders();
        await sleep(clock, fault.durationMs, signal);
        break;
      default:
        finish(entry, 200);
        response.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
        });
    }
    entry.outputTokens = outputTokens;
    stats.completed += 1;
    response.end(json);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requestCounter += 1;
    stats.requests += 1;
    const path = (request.url ?? '/').split('?')[0] as string;
    const entry: RequestLogEntry = {
      index: requestCounter,
      requestId: `req_011C${randomId(randomFor(seed, 'request-id', String(requestCounter)), 20)}`,
      method: request.method ?? 'GET',
      path,
      stream: false,
      status: 0,
      eventsSent: 0,
      pingsSent: 0,
      inputTokens: 0,
      outputTokens: 0,
      continuation: 'none',
      receivedAt: clock.now(),
    };
    log.push(entry);
    const controller = new AbortController();
    active.add(controller);
    response.on('close', () => {
      controller.abort();
      active.delete(controller);
      entry.finishedAt = clock.now();
    });
    try {
      const text = await readBody(request);
      if (text === undefined) {
        sendFailure(response, entry, {
          status: 413,
          type: 'request_too_large',
          message: 'Request exceeds the maximum allowed number of bytes.',
        });
        return;
      }
      if (!authorized(request, settings.apiKey)) {
        sendFailure(response, entry, {
          status: 401,
          type: 'authentication_error',
          message: 'invalid x-api-key',
        });
        return;
      }
      const isMessages = path === '/v1/messages';
      const isCount = path === '/v1/messages/count_tokens';
      if (request.method !== 'POST' || !(isMessages || isCount)) {
        sendFailure(response, entry, {
          status: 404,
          type: 'not_found_error',
          message: `${request.method} ${path} not found`,
        });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        sendFailure(response, entry, invalidRequest('The request body is not valid JSON.'));
        return;
      }
      await handleMessages(request, response, entry, body, controller.signal, isCount);
    } catch (error) {
      if (controller.signal.aborted) return;
      if (!response.headersSent) {
        sendFailure(response, entry, {
          status: 500,
          type: 'api_error',
          message: `Internal server error: ${(error as Error).message}`,
        });
      } else {
        response.destroy();
      }
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: log,
    get stats() {
      return stats;
    },
    tokenizer,
    reset() {
      log.length = 0;
      stats = emptyStats();
      requestCounter = 0;
      messageCounter = 0;
      spendLimitReached = false;
      rateLimiter.reset();
    },
    setFaults(plan) {
      faultPlan = plan === undefined ? {} : parseFaultPlan('plan', plan);
      spendLimitReached = false;
    },
    expectedText(request) {
      const parsed = parseMessagesRequest(request, { lenient: true });
      if (isApiFailure(parsed))
        throw invalidArgument('request', `a valid Messages request (${parsed.message})`, request);
      return generator.expectedText(parsed as MessagesRequest);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const controller of active) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
