import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Runs an example the way a user does, offline: no API key in its environment. */
function runExample(file: string): { status: number | null; stdout: string; stderr: string } {
  const { ANTHROPIC_API_KEY: _dropped, ...environment } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(sourceDirectory, file)], {
    env: environment,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('examples', () => {
  it('bus-and-errors shows events, redaction, a typed error and a kept partial', () => {
    const { status, stdout, stderr } = runExample('bus-and-errors.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('"event":"retry:scheduled"');
    expect(stdout).toContain('output tokens seen by the usage subscriber: 640');
    expect(stdout).not.toContain('NOTAREALKEY');
    expect(stdout).toContain('sk-ant-[REDACTED]');
    expect(stdout).toContain(
      'InvalidArgumentError [invalid_argument] on `limits.requestsPerMinute`: Expected `limits.requestsPerMinute` to be a finite number >= 0, got `-5` (number)',
    );
    expect(stdout).toContain('AbortedError [aborted] after 350 ms');
    expect(stdout).toContain('partial kept: "The quick brown"');
  });

  it('mock-server-for-tests shows an absorbed 529, a mid-stream overloaded_error and the request log', () => {
    const { status, stdout, stderr } = runExample('mock-server-for-tests.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('matches server.expectedText(request): true');
    expect(stdout).toMatch(/anthropic-ratelimit-requests: \d+ of 50 remaining/);
    expect(stdout).toContain('APIError with type overloaded_error');
    expect(stdout).toContain('#1 POST /v1/messages → 529 (fault: status)');
    expect(stdout).toContain('#3 POST /v1/messages → 200 (fault: error_event), 12 events');
  });

  it('the demo runs every example and exits 0', () => {
    const { status, stdout } = runExample('demo.ts');
    expect(status).toBe(0);
    expect(stdout).toContain('=== bus-and-errors.ts ===');
    expect(stdout).toContain('Done.');
  });
});
