import { request } from 'node:http';

export interface SseFrame {
  id: string;
  event: string;
  data: unknown;
}

/** A reader of `GET /events` that parses frames as they come and lets a test wait for them. */
export interface SseClient {
  frames: SseFrame[];
  /** Resolves once `count` frames have arrived. */
  until(count: number): Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const frames: SseFrame[] = [];
    const waiters: Array<{ count: number; done: () => void }> = [];
    const call = request(url, { headers }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`status ${response.statusCode}`));
        response.resume();
        return;
      }
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue;
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (!fields.has('data')) continue;
          frames.push({
            id: fields.get('id') ?? '',
            event: fields.get('event') ?? 'message',
            data: JSON.parse(fields.get('data')!),
          });
        }
        for (const waiter of waiters.filter((candidate) => frames.length >= candidate.count)) waiter.done();
      });
      resolve({
        frames,
        until: (count) =>
          new Promise<void>((done) => {
            if (frames.length >= count) done();
            else waiters.push({ count, done });
          }),
        close: () => call.destroy(),
      });
    });
    call.on('error', reject);
    call.end();
  });
}

/** Yields to I/O until `condition()` holds (no timers involved); fails after many rounds. */
export async function waitFor(condition: () => boolean, rounds = 200_000): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`condition not reached: ${condition.toString()}`);
}
