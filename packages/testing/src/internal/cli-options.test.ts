import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../start-mock-server.js';
import { parseCliOptions } from './cli-options.js';

describe('bulwark-mock options', () => {
  it('maps every flag to a startMockServer option, with demo defaults', () => {
    expect(parseCliOptions([])).toEqual({ port: 4010, tokensPerSecond: 60 });
    expect(
      parseCliOptions([
        '--port=0',
        '--seed',
        '9',
        '--api-key',
        'test-key',
        '--output-tokens',
        '10-20',
        '--tokens-per-second',
        '0',
        '--ping-interval-ms',
        '500',
        '--tokenizer-ratio',
        '1.3',
        '--requests-per-minute',
        '50',
        '--input-tokens-per-minute',
        '30000',
        '--output-tokens-per-minute',
        '8000',
        '--faults',
        '{"schedule":{"2":{"kind":"status","status":529}}}',
      ]),
    ).toEqual({
      port: 0,
      seed: 9,
      apiKey: 'test-key',
      outputTokens: { min: 10, max: 20 },
      tokensPerSecond: 0,
      pingIntervalMs: 500,
      tokenizer: { ratio: 1.3 },
      rateLimits: { requestsPerMinute: 50, inputTokensPerMinute: 30_000, outputTokensPerMinute: 8_000 },
      faults: { schedule: { 2: { kind: 'status', status: 529 } } },
    });
  });

  it('reads --faults from a file, and the result starts a server', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'bulwark-mock-'));
    try {
      const file = join(directory, 'faults.json');
      writeFileSync(
        file,
        JSON.stringify({ random: { probability: 0.1, faults: [{ kind: 'drop', afterEvents: 3 }] } }),
      );
      const options = parseCliOptions(['--faults', file, '--port', '0']);
      expect(options?.faults).toEqual({
        random: { probability: 0.1, faults: [{ kind: 'drop', afterEvents: 3 }] },
      });
      const server = await startMockServer(options);
      await server.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('returns undefined for --help and refuses bad numbers and unknown flags', () => {
    expect(parseCliOptions(['--help'])).toBeUndefined();
    expect(() => parseCliOptions(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseCliOptions(['--prot', '1'])).toThrow();
  });
});
