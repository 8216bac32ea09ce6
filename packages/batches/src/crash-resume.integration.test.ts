import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileCheckpointStore } from '@bulwark/files';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchJobState, batchJobStateKey } from './job-state.js';
import { startChild } from './test-support/child.js';
import { type BatchHarness, collect, drive, requestsFor, startBatchHarness } from './test-support/harness.js';

let harness: BatchHarness | undefined;
let directory: string | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  if (directory) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

describe('a crash after submission', () => {
  it('is picked up by run with the same jobId: no batch submitted twice, every result exactly once', async () => {
    harness = await startBatchHarness({ batches: { requestsPerSecond: 500 } });
    directory = mkdtempSync(join(tmpdir(), 'bulwark-batches-crash-'));
    const requestCount = 2_500;
    const child = startChild('crash-child.ts', {
      MOCK_URL: harness.server.url,
      STORE_DIRECTORY: directory,
      JOB_ID: 'crash',
      REQUESTS: String(requestCount),
      MAX_BATCH_REQUESTS: '1000',
    });
    // The mock's clock does not move while the child runs: its batches stay in progress.
    await child.waitForLine((line) => line === 'ready');
    child.child.kill('SIGKILL');
    const [, signal] = await child.exited;
    expect(signal).toBe('SIGKILL');
    const submittedByChild = child.lines
      .filter((line) => line.startsWith('submitted '))
      .map((line) => line.slice(10));
    expect(submittedByChild).toHaveLength(3);
    expect(child.lines.some((line) => line.startsWith('result '))).toBe(false);
    expect(harness.batchesCreated()).toBe(3);

    const store = createFileCheckpointStore<BatchJobState>({ directory });
    const saved = await store.load(batchJobStateKey('crash'));
    expect(saved?.batches.map((batch) => batch.id)).toEqual(submittedByChild);

    const job = harness
      .runner({ store })
      .run(requestsFor(requestCount), { jobId: 'crash', maxBatchRequests: 1_000 });
    const { results, summary } = await drive(harness.clock, collect(job));
    expect(harness.batchesCreated()).toBe(3);
    expect(summary.batchIds).toEqual(submittedByChild);
    expect(results).toHaveLength(requestCount);
    expect(new Set(results.map((result) => result.custom_id)).size).toBe(requestCount);
    expect(summary.results.succeeded).toBe(requestCount);
    expect(harness.events('batch:job_start')[0]).toMatchObject({ resumed: true, batches: 3, finished: 0 });
  }, 120_000);
});
