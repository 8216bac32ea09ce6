import Anthropic from '@anthropic-ai/sdk';
import { type FaultPlan, type MockServer, startMockServer } from '@bulwark/testing';
import { createClient } from 'bulwark';
import pRetry from 'p-retry';
import { type Benchmark, formatNumber, formatRatio } from '../harness.js';

const model = 'claude-sonnet-4-6';
// Requests per minute bind: a burst larger than the bucket is what makes clients see 429s.
const limits = { requestsPerMinute: 30, inputTokensPerMinute: 400_000, outputTokensPerMinute: 400_000 };

/** The same faults for every contender, keyed by the order requests reach the server. */
const faults: FaultPlan = {
  schedule: {
    3: { kind: 'drop', afterEvents: 1_000 },
    6: { kind: 'status', status: 529 },
    9: { kind: 'error_event', afterEvents: 1_500, errorType: 'overloaded_error' },
    12: { kind: 'close_without_stop', afterEvents: 800 },
    15: { kind: 'stall', afterEvents: 600, durationMs: 8_000 },
    18: { kind: 'status', status: 500 },
  },
};

interface Outcome {
  contender: string;
  /** Why requests failed, by error name and message. */
  failures: string[];
  completed: number;
  requests: number;
  rateLimited: number;
  outputGenerated: number;
  outputDelivered: number;
  wallSeconds: number;
}

const params = (index: number) => ({
  model,
  max_tokens: 4_000,
  messages: [{ role: 'user' as const, content: `Write part ${index + 1} of a long report.` }],
});

const serverOptions = { seed: 77, outputTokens: { min: 2_000, max: 4_000 } };

/** Output tokens of each uninterrupted answer, from a fault-free, unlimited server with the same seed. */
async function referenceOutputTokens(count: number): Promise<number[]> {
  const server = await startMockServer(serverOptions);
  try {
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const messages = await Promise.all(
      Array.from({ length: count }, (_, index) => client.messages.create(params(index))),
    );
    return messages.map((message) => message.usage.output_tokens);
  } finally {
    await server.close();
  }
}

async function run(
  contender: string,
  reference: readonly number[],
  send: (server: MockServer, index: number) => Promise<string>,
): Promise<Outcome> {
  const count = reference.length;
  const server = await startMockServer({
    ...serverOptions,
    tokensPerSecond: 3_000,
    rateLimits: limits,
    faults,
  });
  const started = performance.now();
  try {
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, index) => send(server, index)),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    let completed = 0;
    let outputDelivered = 0;
    const failures: string[] = [];
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const error = result.reason as Error;
        failures.push(`${error.name}: ${error.message.slice(0, 80)}`);
      } else if (result.value !== server.expectedText(params(index))) {
        failures.push('an answer that differs from the uninterrupted one');
      }
      // A completed answer counts only when it is the full, uninterrupted text.
      if (result.status === 'fulfilled' && result.value === server.expectedText(params(index))) {
        completed += 1;
        outputDelivered += reference[index] ?? 0;
      }
    });
    const messagesLog = server.requests.filter((entry) => entry.path === '/v1/messages');
    return {
      contender,
      failures,
      completed,
      requests: count,
      rateLimited: messagesLog.filter((entry) => entry.status === 429).length,
      outputGenerated: messagesLog.reduce((sum, entry) => sum + entry.outputTokens, 0),
      outputDelivered,
      wallSeconds,
    };
  } finally {
    await server.close();
  }
}

const textOf = (message: Anthropic.Message) =>
  message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

const benchmark: Benchmark = {
  id: 'bundle',
  async run({ quick }) {
    const count = quick ? 36 : 45;
    const reference = await referenceOutputTokens(count);
    const outcomes: Outcome[] = [];
    const clients: { bulwark?: ReturnType<typeof createClient> } = {};

    outcomes.push(
      await run('bulwark createClient', reference, async (server, index) => {
        // One client for the whole batch, as an application uses it: one limiter, one estimator.
        clients.bulwark ??= createClient({ apiKey: 'test-key', baseURL: server.url, stallTimeoutMs: 2_000 });
        return textOf(await clients.bulwark.createMessage({ ...params(index), stream: true }));
      }),
    );
    await clients.bulwark?.close();
    outcomes.push(
      await run('bare SDK (default retries)', reference, async (server, index) => {
        const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url });
        return textOf(await client.messages.stream(params(index)).finalMessage());
      }),
    );
    outcomes.push(
      await run('SDK + p-retry (restart on any error)', reference, async (server, index) => {
        const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url });
        return pRetry(async () => textOf(await client.messages.stream(params(index)).finalMessage()), {
          retries: 6,
          minTimeout: 250,
          maxTimeout: 4_000,
        });
      }),
    );

    const bulwark = outcomes[0]!;
    const baseline = outcomes[1]!;
    const requestAllowance = (seconds: number) => limits.requestsPerMinute * (1 + seconds / 60);
    const rows = outcomes.map((outcome) => {
      const allowance = limits.outputTokensPerMinute * (1 + outcome.wallSeconds / 60);
      const wasted = outcome.outputGenerated - outcome.outputDelivered;
      return [
        outcome.contender,
        `${outcome.completed} / ${outcome.requests}`,
        String(outcome.rateLimited),
        formatNumber(wasted),
        `${formatNumber((outcome.outputGenerated / allowance) * 100)} % OTPM, ${formatNumber((outcome.completed / requestAllowance(outcome.wallSeconds)) * 100)} % RPM`,
        `${outcome.wallSeconds.toFixed(1)} s`,
        formatRatio(outcome.wallSeconds, bulwark.wallSeconds),
      ];
    });
    return {
      title: 'End to end: the bundle vs the bare SDK vs the SDK with p-retry',
      method: `${count} streamed requests (max_tokens 4,000; answers of 2,000–4,000 tokens at 3,000 tokens/s per stream) issued at once against @bulwark/testing enforcing ${limits.requestsPerMinute} RPM / ${formatNumber(limits.inputTokensPerMinute)} ITPM / ${formatNumber(limits.outputTokensPerMinute)} OTPM, with the same fault schedule for every contender (by arrival order): a dropped stream, a 529, a mid-stream overloaded_error, a close without message_stop, an 8-second stall, a 500. Requests per minute bind (${count} requests against a bucket of ${limits.requestsPerMinute}). Every contender streams. A request counts as completed only when its text equals the uninterrupted answer. "Wasted" is output the server generated that no completed answer contains (restarts, abandoned streams). "Share of limits used" is what was used ÷ (the bucket at the start + its refill over the wall time), for output tokens and for requests (only completed requests count). Wall-time ratios are relative to Bulwark; a contender that gives up early finishes sooner.`,
      peers: [
        '@anthropic-ai/sdk 1.12.0 (maxRetries 2)',
        'p-retry 7.1.1 around messages.stream().finalMessage()',
      ],
      tables: [
        {
          headers: [
            'contender',
            'completed',
            '429s received',
            'output tokens wasted',
            'share of limits used',
            'wall time',
            'wall ratio',
          ],
          rows,
        },
      ],
      notes: [
        ...outcomes
          .filter((outcome) => outcome.failures.length > 0)
          .map((outcome) => `${outcome.contender} failures: ${[...new Set(outcome.failures)].join('; ')}.`),
        `Bulwark completed ${bulwark.completed} of ${bulwark.requests} with ${bulwark.rateLimited} 429s; the bare SDK ${baseline.completed} (it does not retry once a stream has started, and gives up on 429s after 2 retries); p-retry ${outcomes[2]!.completed}, by restarting whole streams, at ${outcomes[2]!.rateLimited} 429s.`,
        'Bulwark reserves expected output tokens before admitting a call. The mock, like the API, charges output as it is generated, so a burst that starts inside a full output bucket is never refused: where output tokens are the binding limit, clients that do not reserve finish such a burst sooner (and over the limit), and Bulwark paces it to the limit.',
      ],
    };
  },
};

export default benchmark;
