import { get } from 'node:http';
import { startMockServer } from '@bulwark/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './node-client.js';

let server: Awaited<ReturnType<typeof startMockServer>>;
beforeAll(async () => {
  server = await startMockServer({ seed: 9, outputTokens: { min: 20, max: 50 } });
});
afterAll(async () => {
  await server.close();
});

/** The first frame of `/events`: the snapshot. */
function snapshotOf(url: string): Promise<{ totals: Record<string, Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    get(new URL('/events', url), (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        const line = text.split('\n').find((candidate) => candidate.startsWith('data: '));
        if (line && text.includes('\n\n', text.indexOf(line))) {
          response.destroy();
          resolve(JSON.parse(line.slice('data: '.length)));
        }
      });
    }).on('error', reject);
  });
}

describe('createClient({ dashboard })', () => {
  it('starts the dashboard on the client bus, with totals that match usage(), and close() stops it', async () => {
    const client = createClient({
      apiKey: 'test-key',
      baseURL: server.url,
      dashboard: { port: 0, title: 'batch' },
    });
    const url = await client.dashboardUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    server.setFaults({
      schedule: { 1: { kind: 'status', status: 529 }, 3: { kind: 'drop', afterEvents: 6 } },
    });
    await Promise.all(
      [1, 2, 3].map((index) =>
        client.createMessage(
          {
            model: 'claude-sonnet-4-6',
            max_tokens: 8_000,
            messages: [{ role: 'user', content: `Part ${index}` }],
          },
          { requestId: `part_${index}` },
        ),
      ),
    );
    const usage = client.usage()['claude-sonnet-4-6']!;
    const shown = (await snapshotOf(url!)).totals['claude-sonnet-4-6']!;
    expect(shown).toMatchObject({
      completed: usage.requests,
      failed: usage.failed,
      attempts: usage.attempts,
      retries: usage.retries,
      resumes: usage.resumes,
      stalls: usage.stalls,
      rateLimited: usage.rateLimited,
      keptTokens: usage.outputTokensKeptByResume,
      usage: usage.usage,
      costUsd: usage.costUsd,
    });
    await client.close();
    await expect(fetch(new URL('/healthz', url))).rejects.toThrow();
  });

  it('has no dashboard unless asked', async () => {
    const client = createClient({ apiKey: 'test-key', baseURL: server.url });
    expect(await client.dashboardUrl()).toBeUndefined();
    await client.close();
  });
});
