import type { RouteContext } from '../exchange.js';
import { writeMessageJson } from '../json-writer.js';
import { messageFrames, messageJson } from '../message-body.js';
import { sendFailure } from '../replies.js';
import type { Route } from '../router.js';
import { writeMessageStream } from '../sse-writer.js';
import { messagesChecks } from './messages-checks.js';
import { type PreparedRequest, prepareRequest } from './prepare-request.js';

/** `POST /v1/messages`: a generated message as JSON or SSE, with its faults and rate limits. */
export const messagesRoute: Route = {
  method: 'POST',
  path: '/v1/messages',
  body: 'json',
  handle: handleMessages,
};

async function handleMessages(context: RouteContext): Promise<void> {
  const prepared = await prepareRequest(context, { countOnly: false });
  if (!prepared) return;
  const { state, entry } = context;
  entry.stream = prepared.request.stream;
  if (prepared.request.stream) state.stats.streams += 1;
  for (const check of messagesChecks) {
    const failure = check(prepared);
    if (failure) {
      sendFailure(context, failure);
      return;
    }
  }
  entry.inputTokens = prepared.inputTokens;
  state.stats.inputTokens += prepared.inputTokens;
  await writeMessage(prepared);
}

/** Generates the answer and writes it, then charges the output tokens actually sent. */
async function writeMessage({ context, request, fault, inputTokens, modelClass }: PreparedRequest) {
  const { state, entry } = context;
  const headers = { ...state.rateLimiter.headers(modelClass), 'request-id': entry.requestId };
  const plan = state.generator.plan(request, entry.messageIndex as number);
  try {
    const completed = request.stream
      ? await writeMessageStream(context, headers, messageFrames(plan, request.model, inputTokens), fault)
      : await writeMessageJson(
          context,
          headers,
          messageJson(plan, request.model, inputTokens),
          fault,
          plan.outputTokens,
        );
    if (completed) state.stats.completed += 1;
  } finally {
    state.rateLimiter.recordOutput(modelClass, entry.outputTokens);
    state.stats.outputTokens += entry.outputTokens;
  }
}
