import Anthropic from '@anthropic-ai/sdk';
import { startMockServer } from '@bulwark/testing';

/** The raw SSE body of one `model` response of `deltas` text deltas, recorded from the mock server. */
export async function recordStream(model: string, deltas: number): Promise<Uint8Array> {
  const server = await startMockServer({ seed: 5, outputTokens: deltas });
  try {
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'test-key',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model,
        max_tokens: deltas + 100,
        stream: true,
        messages: [{ role: 'user', content: 'Benchmark.' }],
      }),
    });
    return new Uint8Array(await response.arrayBuffer());
  } finally {
    await server.close();
  }
}

/** An SDK client whose fetch replays `body` in 16 KiB chunks: only client-side work is measured. */
export function replayingClient(body: Uint8Array): Anthropic {
  const chunkBytes = 16 * 1024;
  return new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://127.0.0.1:1',
    maxRetries: 0,
    fetch: async () => {
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= body.length) {
            controller.close();
            return;
          }
          controller.enqueue(body.subarray(offset, offset + chunkBytes));
          offset += chunkBytes;
        },
      });
      return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    },
  });
}

/** Process CPU time (user + system) of `task`, in milliseconds. */
export function cpuMs(task: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  return task().then(() => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  });
}
