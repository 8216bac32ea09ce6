/**
 * The JSON values of a JSONL byte stream, one per line, decoded as the bytes arrive. Pieces of
 * a line are kept apart until its newline comes and joined once, so each byte is copied a
 * bounded number of times and memory holds at most one line beyond the chunk in hand. Cancels
 * the stream when the caller stops early.
 */
export async function* jsonLines<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pieces: string[] = [];
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
        pieces.push(text.slice(start, newline));
        start = newline + 1;
        const line = pieces.join('');
        pieces = [];
        if (line.trim().length > 0) yield JSON.parse(line) as T;
      }
      if (start < text.length) pieces.push(text.slice(start));
      if (done) break;
    }
    const last = pieces.join('');
    if (last.trim().length > 0) yield JSON.parse(last) as T;
    finished = true;
  } finally {
    // Stopped early (or a line failed to parse): release the connection rather than read on.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
