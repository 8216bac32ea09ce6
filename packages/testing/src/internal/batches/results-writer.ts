import type { ServerResponse } from 'node:http';

/** Lines are gathered into writes of about this many characters. */
const writeSizeChars = 64 * 1024;

function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Writes `lines` as the body of a response already begun, pulling the next only when the
 * socket has taken the last write: a results file of any size goes out in bounded memory, at
 * the pace the client reads it. Stops quietly when the client goes away.
 */
export async function writeLines(
  response: ServerResponse,
  lines: Iterable<string>,
  signal: AbortSignal,
): Promise<void> {
  let pending = '';
  for (const line of lines) {
    if (signal.aborted) return;
    pending += line;
    if (pending.length < writeSizeChars) continue;
    const accepted = response.write(pending);
    pending = '';
    if (!accepted) await drained(response, signal);
  }
  if (signal.aborted) return;
  response.end(pending);
}
