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
 * the pace the client reads it. Stops quietly when the client goes away. With `cutAfterLines`,
 * destroys the socket once that many lines are out, as a broken connection would.
 */
export async function writeLines(
  response: ServerResponse,
  lines: Iterable<string>,
  signal: AbortSignal,
  cutAfterLines?: number,
): Promise<void> {
  let pending = '';
  let written = 0;
  for (const line of lines) {
    if (signal.aborted) return;
    if (written === cutAfterLines) {
      response.write(pending, () => response.destroy());
      return;
    }
    written += 1;
    pending += line;
    if (pending.length < writeSizeChars) continue;
    const accepted = response.write(pending);
    pending = '';
    if (!accepted) await drained(response, signal);
  }
  if (signal.aborted) return;
  response.end(pending);
}
