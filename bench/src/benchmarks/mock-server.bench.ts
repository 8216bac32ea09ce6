import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startMockServer } from '@bulwark/testing';
import { type Benchmark, formatNumber, formatRatio, measure } from '../harness.js';

const model = 'claude-haiku-4-5';
const request = (index: number) => ({
  model,
  max_tokens: 1000,
  messages: [{ role: 'user' as const, content: `Question ${index % 50}` }],
});

/** The floor: a bare node:http server replaying one recorded SSE body, which is what a hand-made fake does. */
async function startReplayServer(recordedStream: string, recordedJson: string) {
  const server = createServer((incoming, response) => {
    let body = '';
    incoming.on('data', (chunk) => {
      body += chunk;
    });
    incoming.on('end', () => {
      const stream = body.includes('"stream":true');
      response.writeHead(200, {
        'content-type': stream ? 'text/event-stream' : 'application/json',
        'request-id': 'req_replay',
      });
      response.end(stream ? recordedStream : recordedJson);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const benchmark: Benchmark = {
  id: 'mock-server',
  async run({ quick }) {
    const batches = quick ? 4 : 20;
    const concurrency = 25;
    const total = batches * concurrency;
    const mock = await startMockServer({ seed: 1, outputTokens: 200 });
    const recordedStream = await (
      await fetch(`${mock.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({ ...request(0), stream: true }),
      })
    ).text();
    const recordedJson = await (
      await fetch(`${mock.url}/v1/messages`, { method: 'POST', body: JSON.stringify(request(0)) })
    ).text();
    const replay = await startReplayServer(recordedStream, recordedJson);
    const clients = {
      mock: new Anthropic({ apiKey: 'test-key', baseURL: mock.url, maxRetries: 0 }),
      replay: new Anthropic({ apiKey: 'test-key', baseURL: replay.url, maxRetries: 0 }),
    };
    const run = (client: Anthropic, stream: boolean) => async () => {
      for (let batch = 0; batch < batches; batch += 1) {
        await Promise.all(
          Array.from({ length: concurrency }, (_, index) =>
            stream
              ? client.messages.stream(request(batch * concurrency + index)).finalMessage()
              : client.messages.create(request(batch * concurrency + index)),
          ),
        );
      }
    };
    const rows: string[][] = [];
    for (const stream of [true, false]) {
      const replayed = await measure(run(clients.replay, stream), { warmup: 1, repetitions: quick ? 3 : 5 });
      const mocked = await measure(run(clients.mock, stream), { warmup: 1, repetitions: quick ? 3 : 5 });
      const perSecond = (medianMs: number) => formatNumber((total / medianMs) * 1000);
      rows.push(
        [
          stream ? 'messages.stream() → finalMessage()' : 'messages.create()',
          'replay of one recorded body (bare node:http)',
          perSecond(replayed.medianMs),
          '1.00×',
        ],
        [
          stream ? 'messages.stream() → finalMessage()' : 'messages.create()',
          '@bulwark/testing (generated, validated, counted, rate-limited)',
          perSecond(mocked.medianMs),
          formatRatio(mocked.medianMs, replayed.medianMs),
        ],
      );
    }
    await mock.close();
    await replay.close();
    return {
      title: 'Mock server: requests per second through the real SDK',
      method: `${total} requests of about 200 output tokens (${concurrency} concurrent, ${batches} batches) through @anthropic-ai/sdk 1.12.0 over loopback, median of ${quick ? 3 : 5} runs after one warm-up. The baseline replays one recorded response from a bare node:http server: the least work any fake can do. The ratio is time per run relative to that baseline (lower is better); both include the SDK's own parsing, which dominates.`,
      peers: [
        'a bare node:http replay server (hand-written, no library)',
        '@anthropic-ai/sdk 1.12.0 as the client of both',
      ],
      tables: [{ headers: ['call', 'server', 'requests/s', 'time ratio'], rows }],
      notes: [
        'No mock-server library is installed here to compare with, so the floor is a replay server; the ratio is the cost of generating, validating, counting and rate-limiting each answer.',
        'The client (the SDK parsing SSE) dominates both: a ratio near or below 1.00× means the server adds no cost the run can see, not that it beats replaying bytes (the replay is measured first, so it also absorbs more of the JIT warm-up).',
      ],
    };
  },
};

export default benchmark;
