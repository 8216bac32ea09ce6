import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from 'bulwark/node';
import { type Benchmark, formatNumber } from '../harness.js';

const childPath = fileURLToPath(new URL('./dashboard-child.mjs', import.meta.url));
const model = 'claude-sonnet-4-6';
const limits = { requestsPerMinute: 1_000_000, inputTokensPerMinute: 1e9, outputTokensPerMinute: 1e9 };

/** Starts the child with `task`; resolves with its first line of output, parsed. */
async function child(task: object): Promise<{ process: ChildProcess; answer: Record<string, unknown> }> {
  const started = spawn(process.execPath, [childPath, JSON.stringify(task)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: started.stdout! }).once('line', resolve),
  );
  return { process: started, answer: JSON.parse(line) };
}

// Streamed, as long generations are: only streams emit progress, which is what the dashboard folds.
const params = (index: number) => ({
  model,
  stream: true,
  max_tokens: 4_000,
  messages: [{ role: 'user' as const, content: `Write section ${index}.` }],
});

/** CPU seconds of this process while `streams` paced streams run, with or without the dashboard. */
async function cpuOfStreams(streams: number, withDashboard: boolean): Promise<number> {
  const mock = await child({ mock: { seed: 5, tokensPerSecond: 20, outputTokens: { min: 150, max: 200 } } });
  const client = createClient({
    apiKey: 'bench-key',
    baseURL: String(mock.answer.url),
    limits,
    ...(withDashboard ? { dashboard: { port: 0 } } : {}),
  });
  const sse = withDashboard ? await child({ sse: await client.dashboardUrl(), clients: 10 }) : undefined;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: streams }, (_, index) => client.createMessage(params(index))));
  const used = process.cpuUsage(before);
  sse?.process.kill();
  await client.close();
  mock.process.kill();
  return (used.user + used.system) / 1e6;
}

/** RSS (MB) after each tenth of `total` requests completed, with the dashboard and one client open. */
async function rssOverRequests(total: number): Promise<number[]> {
  const mock = await child({ mock: { seed: 6, outputTokens: { min: 20, max: 40 } } });
  const client = createClient({
    apiKey: 'bench-key',
    baseURL: String(mock.answer.url),
    limits,
    dashboard: { port: 0 },
  });
  const sse = await child({ sse: await client.dashboardUrl(), clients: 1 });
  const samples: number[] = [];
  const step = total / 10;
  for (let done = 0; done < total; done += step) {
    for (let batch = 0; batch < step; batch += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => client.createMessage(params(done + batch + index))),
      );
    }
    (globalThis as { gc?: () => void }).gc?.();
    samples.push(process.memoryUsage().rss / 1024 / 1024);
  }
  sse.process.kill();
  await client.close();
  mock.process.kill();
  return samples;
}

const benchmark: Benchmark = {
  id: 'dashboard',
  async run({ quick }) {
    const streams = quick ? 200 : 1_000;
    const total = quick ? 2_000 : 10_000;
    // Alternating runs, median of each: a single pair is at the mercy of whatever else the cores do.
    const withoutRuns: number[] = [];
    const withRuns: number[] = [];
    for (let round = 0; round < (quick ? 1 : 3); round += 1) {
      withoutRuns.push(await cpuOfStreams(streams, false));
      withRuns.push(await cpuOfStreams(streams, true));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const without = median(withoutRuns);
    const withDashboard = median(withRuns);
    const extra = (withDashboard - without) / without;
    const rss = await rssOverRequests(total);
    const growth = rss.at(-1)! - rss[0]!;
    return {
      title: 'Dashboard: server CPU and memory',
      method: [
        `${formatNumber(streams)} concurrent streams through bulwark/node's createClient (about 175 output tokens each at 20 tokens/s,`,
        'progress every second) against @bulwark/testing in another process; CPU time of the client process with no dashboard,',
        'then with the dashboard and 10 SSE clients connected (the clients in another process); median of 3 alternating runs each. Memory: RSS of the client process',
        `after each tenth of ${formatNumber(total)} completed requests (100 at a time) with the dashboard and one SSE client open.`,
      ].join(' '),
      peers: [],
      tables: [
        {
          headers: ['run', 'CPU s', 'extra vs without'],
          rows: [
            ['without the dashboard', formatNumber(without, 2), '–'],
            [
              'dashboard + 10 SSE clients',
              formatNumber(withDashboard, 2),
              `${formatNumber(extra * 100, 1)} %`,
            ],
          ],
        },
        {
          headers: ['requests completed', 'RSS MB'],
          rows: rss.map((value, index) => [formatNumber(((index + 1) * total) / 10), formatNumber(value, 1)]),
        },
      ],
      notes: [
        `Extra CPU with the dashboard: ${formatNumber(extra * 100, 1)} % (goal ≤ 5 %).`,
        `RSS from the first to the last tenth: ${growth >= 0 ? '+' : ''}${formatNumber(growth, 1)} MB (goal: no growth).`,
      ],
    };
  },
};

export default benchmark;
