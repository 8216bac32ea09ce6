import Anthropic from '@anthropic-ai/sdk';
import { createBus } from '@bulwark/core';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { type Benchmark, formatNumber, formatRatio, median } from '../harness.js';
import { cpuMs, recordStream, replayingClient } from '../sse-replay.js';

const model = 'claude-haiku-4-5';

async function measureCpu(quick: boolean) {
  const deltas = 9995; // + message_start, content_block_start/stop, message_delta, message_stop = 10,000 events
  const body = await recordStream(model, deltas);
  const events = new TextDecoder()
    .decode(body)
    .split('\n\n')
    .filter((frame) => frame.trim().length > 0).length;
  const client = replayingClient(body);
  const params = {
    model,
    max_tokens: deltas + 100,
    messages: [{ role: 'user' as const, content: 'Benchmark.' }],
  };
  const bulwark = createStreamingClient({
    client,
    bus: createBus(),
    stallTimeoutMs: 60_000,
    progressIntervalMs: 1000,
  });
  const peers: Record<string, () => Promise<unknown>> = {
    'SDK messages.stream() + finalMessage()': () => client.messages.stream(params).finalMessage(),
    'SDK messages.create({ stream: true }), iterate only': async () => {
      for await (const _event of await client.messages.create({ ...params, stream: true })) {
        // nothing: the floor of parsing alone
      }
    },
    'Bulwark createMessage (stall watch + progress + onText)': () =>
      bulwark.createMessage({ ...params, stream: true }, { onText: () => {} }),
  };
  const names = Object.keys(peers);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  const rounds = quick ? 5 : 40;
  for (let round = -2; round < rounds; round += 1) {
    // Rotating the order each round keeps warm-up and GC drift from favouring one peer.
    for (let index = 0; index < names.length; index += 1) {
      const name = names[(index + round + names.length) % names.length]!;
      const used = await cpuMs(peers[name]!);
      if (round >= 0) samples.get(name)!.push(used);
    }
  }
  const baseline = median(samples.get(names[0]!)!);
  return {
    events,
    rounds,
    rows: names.map((name) => {
      const value = median(samples.get(name)!);
      return [name, formatNumber(value, 2), formatRatio(value, baseline)];
    }),
    ratio: median(samples.get(names[2]!)!) / baseline,
  };
}

async function measureTokens() {
  const total = 8000;
  const server = await startMockServer({ seed: 9, outputTokens: total });
  try {
    const sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const params = {
      model,
      max_tokens: 10_000,
      messages: [{ role: 'user' as const, content: 'A long answer.' }],
    };
    const spent = () => server.requests.reduce((sum, entry) => sum + entry.outputTokens, 0);
    // message_start and content_block_start come first: the break falls after 4,000 text tokens.
    const breakAt = { kind: 'drop' as const, afterEvents: 2 + total / 2 };

    server.reset();
    await sdk.messages.stream(params).finalMessage();
    const uninterrupted = spent();

    server.reset();
    server.setFaults({ schedule: { 1: breakAt } });
    for (;;) {
      try {
        await sdk.messages.stream(params).finalMessage();
        break;
      } catch {
        // Restart: what a caller of the bare SDK does after a stream breaks.
      }
    }
    const restart = spent();

    const client = createStreamingClient({ client: sdk, bus: createBus(), random: () => 0 });
    const resumeWith = async (resumeModel: string) => {
      server.reset();
      server.setFaults({ schedule: { 1: breakAt } });
      await client.createMessage({ ...params, model: resumeModel });
      server.setFaults({});
      return spent();
    };
    const resume = await resumeWith(model);
    const resumeUserTurn = await resumeWith('claude-opus-4-6');
    return { uninterrupted, restart, resume, resumeUserTurn };
  } finally {
    await server.close();
  }
}

const benchmark: Benchmark = {
  id: 'stream',
  async run({ quick }) {
    const cpu = await measureCpu(quick);
    const tokens = await measureTokens();
    return {
      title: 'Streaming client (@bulwark/stream)',
      method: [
        `CPU: one recorded ${formatNumber(cpu.events)}-event SSE response of the mock server (9,995 text deltas),`,
        'replayed from memory through the real SDK with a `fetch` that yields 16 KiB chunks, so only client-side',
        `work is measured; process CPU time (user + system) per full read, median of ${cpu.rounds} rounds with the`,
        'peers in rotating order. Tokens: an 8,000-token answer from `@bulwark/testing`, its socket dropped after',
        '4,000 text tokens; output tokens summed over every request in the server log.',
      ].join(' '),
      peers: ['@anthropic-ai/sdk 1.12.0 (MessageStream, raw Stream)'],
      tables: [
        { headers: ['reader', 'CPU ms per stream', 'vs MessageStream'], rows: cpu.rows },
        {
          headers: ['after a break at 50 %', 'output tokens spent', 'vs uninterrupted'],
          rows: [
            [
              'uninterrupted (no break)',
              formatNumber(tokens.uninterrupted),
              formatRatio(tokens.uninterrupted, tokens.uninterrupted),
            ],
            [
              'restart (bare SDK, try again)',
              formatNumber(tokens.restart),
              formatRatio(tokens.restart, tokens.uninterrupted),
            ],
            [
              'resume by prefill (Bulwark, claude-haiku-4-5)',
              formatNumber(tokens.resume),
              formatRatio(tokens.resume, tokens.uninterrupted),
            ],
            [
              'resume by user turn (Bulwark, claude-opus-4-6)',
              formatNumber(tokens.resumeUserTurn),
              formatRatio(tokens.resumeUserTurn, tokens.uninterrupted),
            ],
          ],
        },
      ],
      notes: [
        `CPU goal ≤ 1.05× MessageStream: ${cpu.ratio <= 1.05 ? 'met' : 'missed'} (${formatRatio(cpu.ratio, 1)}).`,
        `Tokens goal ≤ 1.02× uninterrupted: ${Math.max(tokens.resume, tokens.resumeUserTurn) <= 1.02 * tokens.uninterrupted ? 'met' : 'missed'} (${formatRatio(tokens.resume, tokens.uninterrupted)} by prefill, ${formatRatio(tokens.resumeUserTurn, tokens.uninterrupted)} by user turn; the mock continues exactly, a real model may not, and the continuation's input tokens are not counted here).`,
      ],
    };
  },
};

export default benchmark;
