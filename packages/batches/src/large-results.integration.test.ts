import { startMockServer } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { startChild } from './test-support/child.js';

describe('a results file of 200 MB', () => {
  // The child runs the source through tsx, which alone takes about 120 MB of RSS: the test bounds
  // what collecting adds. The bench measures the built package's absolute peak (goal < 150 MB).
  it('is read as a stream in flat memory: a 64 MB heap suffices and RSS grows far less than the file', async () => {
    const requests = 2_000;
    const paddingBytes = 105_000;
    // The server's own clock: the batch is processed at once, and its results stream as read.
    const server = await startMockServer({
      seed: 5,
      outputTokens: { min: 3, max: 6 },
      batches: { requestsPerSecond: 1_000_000, resultPaddingBytes: paddingBytes },
    });
    try {
      const child = startChild(
        'large-results-child.ts',
        { MOCK_URL: server.url, REQUESTS: String(requests) },
        ['--max-old-space-size=64'],
      );
      const [code] = await child.exited;
      expect(child.stderr()).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(child.lines.at(-1) ?? '{}') as {
        results: number;
        textBytes: number;
        startRssMb: number;
        peakRssMb: number;
      };
      expect(report.results).toBe(requests);
      expect(report.textBytes).toBeGreaterThanOrEqual(requests * paddingBytes);
      expect(report.textBytes).toBeGreaterThan(200_000_000);
      expect(report.peakRssMb - report.startRssMb).toBeLessThan(120);
    } finally {
      await server.close();
    }
  }, 180_000);
});
