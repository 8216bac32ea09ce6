import { sleep } from '@bulwark/core/internal';
import type { Fault } from '../fault.js';
import type { Exchange } from './exchange.js';
import { failureOfStatusFault } from './fault-application.js';
import { sendFailure, writeThenDestroy } from './replies.js';

/**
 * Writes a non-streaming message body (`json`, already serialised) with any body fault: a
 * mid-stream error becomes a 529 (or 500) status answer, a cut becomes half the JSON (then a
 * destroyed socket for `drop`), a stall delays the body after the headers. Logs the output
 * tokens of every answer that carried the body, and resolves to true when the body was whole.
 */
export async function writeMessageJson(
  exchange: Exchange,
  headers: Readonly<Record<string, string>>,
  json: string,
  fault: Fault | undefined,
  outputTokens: number,
): Promise<boolean> {
  const { state, entry, response } = exchange;
  const half = json.slice(0, Math.floor(json.length / 2));
  switch (fault?.kind) {
    case 'error_event': {
      const type = fault.errorType ?? 'overloaded_error';
      const status = type === 'api_error' ? 500 : 529;
      sendFailure(exchange, failureOfStatusFault({ kind: 'status', status, errorType: type }), headers);
      return false;
    }
    case 'drop':
      state.recordStatus(entry, 200);
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      entry.outputTokens = outputTokens;
      writeThenDestroy(response, half);
      return false;
    case 'close_without_stop':
    case 'malformed':
      state.recordStatus(entry, 200);
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      entry.outputTokens = outputTokens;
      response.end(half);
      return false;
    case 'stall':
      state.recordStatus(entry, 200);
      response.writeHead(200, { ...headers, 'content-type': 'application/json' });
      response.flushHeaders();
      await sleep(state.clock, fault.durationMs, exchange.signal);
      break;
    default:
      state.recordStatus(entry, 200);
      response.writeHead(200, {
        ...headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
  }
  entry.outputTokens = outputTokens;
  response.end(json);
  return true;
}
