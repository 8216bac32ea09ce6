import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * Runs an example the way a user does, offline (no API key in its environment), against the
 * built packages. Asynchronous, so a slow example never blocks the test runner's own timers.
 */
function runExample(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { ANTHROPIC_API_KEY: _dropped, ...environment } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(sourceDirectory, file)], {
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('examples (offline, each as a user runs it)', () => {
  it('bus-and-errors shows events, redaction, a typed error and a kept partial', async () => {
    const { status, stdout, stderr } = await runExample('bus-and-errors.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('"event":"retry:scheduled"');
    expect(stdout).toContain('output tokens seen by the usage subscriber: 640');
    expect(stdout).not.toContain('NOTAREALKEY');
    expect(stdout).toContain('sk-ant-[REDACTED]');
    expect(stdout).toMatch(
      /InvalidArgumentError \[invalid_argument\] on `(options\.)?limits\.requestsPerMinute`/,
    );
    expect(stdout).toContain('AbortedError [aborted] after 350 ms');
    expect(stdout).toContain('partial kept: "The quick brown"');
  });

  it('basic-completion answers and reports usage and cost', async () => {
    const { status, stdout, stderr } = await runExample('basic-completion.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('offline: requests go to @bulwark/testing');
    expect(stdout).toMatch(/estimated input: \d+ tokens \(raw \d+ × \d\.\d\d\)/);
    expect(stdout).toMatch(/answer \(\d+ characters\):\n\S/);
    expect(stdout).toMatch(/claude-sonnet-4-6: 1 request, \d+ input \+ \d+ output tokens, \$0\.\d{6}/);
  });

  it('streaming-progress delivers text through onText and emits progress', async () => {
    const { status, stdout } = await runExample('streaming-progress.ts');
    expect(status).toBe(0);
    expect(stdout).toContain('request:start streaming=true (requested), max_tokens 1200');
    expect(stdout).toMatch(/\[progress\] \d+ tokens · \d+ tok\/s · \d+% of max_tokens/);
    expect(stdout).toContain('usage: ');
    expect(stdout).toMatch(/received (\d+) characters through onText; stop_reason end_turn/);
  });

  it('large-request shows the SDK refusing and Bulwark streaming instead', async () => {
    const { status, stdout } = await runExample('large-request.ts');
    expect(status).toBe(0);
    expect(stdout).toContain('Streaming is required for operations that may take longer than 10 minutes');
    expect(stdout).toContain('request:start streaming=true reason=max_tokens max_tokens=32000');
    expect(stdout).toMatch(/done: 2500 output tokens/);
  });

  it('retries-and-resume survives five faults with the uninterrupted text', async () => {
    const { status, stdout } = await runExample('retries-and-resume.ts');
    expect(status).toBe(0);
    expect(stdout).toContain('attempt 1 failed: RateLimitError 429');
    expect(stdout).toContain('stall: nothing for');
    expect(stdout).toContain('resuming by user_turn');
    expect(stdout).toContain('onText delivered every character once: true');
    expect(stdout).toContain('identical to an uninterrupted stream: true');
    // Five faults, each costing one retry; a heavily loaded machine may add a stall, never remove one.
    const [, retries, resumes, rateLimited, stalls] =
      stdout.match(/retries (\d+), resumes (\d+), 429s (\d+), stalls (\d+)/) ?? [];
    expect(Number(retries)).toBeGreaterThanOrEqual(5);
    expect(Number(resumes)).toBeGreaterThanOrEqual(3);
    expect(Number(rateLimited)).toBe(1);
    expect(Number(stalls)).toBeGreaterThanOrEqual(1);
  });

  it('rate-limited-batch completes 100 requests without a 429', async () => {
    const { status, stdout } = await runExample('rate-limited-batch.ts');
    expect(status).toBe(0);
    expect(stdout).toMatch(/completed\s+100/);
    expect(stdout).toMatch(/failed\s+0/);
    expect(stdout).toMatch(/429s seen\s+0/);
    expect(stdout).toContain('server 429s: 0');
    expect(stdout).not.toContain('\u001b[');
  });

  it('map-reduce-file chunks within the budget and summarises every chunk', async () => {
    const { status, stdout } = await runExample('map-reduce-file.ts');
    expect(status).toBe(0);
    const [, chunkCount, , largest] =
      stdout.match(/book\.txt: (\d+) chunks of (\d+)–(\d+) tokens \(budget 1500\)/) ?? [];
    expect(Number(chunkCount)).toBeGreaterThan(5);
    expect(Number(largest)).toBeLessThanOrEqual(1_500);
    expect(stdout).toContain(`map: ${chunkCount} summaries`);
    expect(stdout).toContain(`calls: ${Number(chunkCount) + 1}, 429s: 0`);
  });

  it('checkpoint-resume finishes after the worker is killed', async () => {
    const { status, stdout } = await runExample('checkpoint-resume.ts');
    expect(status).toBe(0);
    expect(stdout).toContain('worker: killed (SIGKILL)');
    expect(stdout).toContain('worker ended by SIGKILL');
    expect(stdout).toMatch(/resuming by user_turn, keeping \d+ output tokens from the checkpoint/);
    expect(stdout).toContain('identical to an uninterrupted answer: true');
  });

  it('mock-server-for-tests shows an absorbed 529, a mid-stream overloaded_error and the request log', async () => {
    const { status, stdout, stderr } = await runExample('mock-server-for-tests.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('matches server.expectedText(request): true');
    expect(stdout).toMatch(/anthropic-ratelimit-requests: \d+ of 50 remaining/);
    expect(stdout).toContain('APIError with type overloaded_error');
    expect(stdout).toContain('#1 POST /v1/messages → 529 (fault: status)');
    expect(stdout).toContain('#3 POST /v1/messages → 200 (fault: error_event), 12 events');
  });

  it('otel-console prints the spans of a faulted request: one request span, three attempts, retries and a resume', async () => {
    const { status, stdout, stderr } = await runExample('otel-console.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain("name: 'chat claude-sonnet-4-6'");
    expect(stdout.match(/name: 'bulwark\.attempt'/g)).toHaveLength(3);
    expect(stdout).toContain("'error.type': 'overloaded_error'");
    expect(stdout).toContain("'bulwark.retry.reason': 'stream_dropped'");
    expect(stdout).toContain("name: 'bulwark.resume'");
    expect(stdout).toContain("'bulwark.attempts': 3");
    expect(stdout).toContain('attempts 3, retries 2, resumes 1');
    expect(stdout).not.toContain('offline-example-key');
  });

  it('batch-api runs 300 requests through the Message Batches API at half the price', async () => {
    const { status, stdout, stderr } = await runExample('batch-api.ts');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.match(/submitted msgbatch_\w+: 100 requests \(round 1\)/g)).toHaveLength(3);
    expect(stdout).toContain('resubmitting 1 requests (1 errored, 0 expired)');
    expect(stdout).toContain('resubmitting 1 requests (0 errored, 1 expired)');
    expect(stdout).toContain('question-299: errored (invalid_request_error)');
    expect(stdout).toContain('300 results: 299 succeeded, 1 errored, 0 expired, 0 canceled');
    expect(stdout).toContain('answers delivered: 299; resubmitted: 2; batches: 5');
    expect(stdout).toMatch(/cost at batch prices: \$0\.\d{6} \(list price \$0\.\d{6}, 0\.50×\)/);
  });

  it('the demo completes all 20 requests through every fault and prints the summary, plain when piped', async () => {
    const { status, stdout } = await runExample('demo.ts');
    expect(status).toBe(0);
    expect(stdout).toMatch(/completed\s+20 of 20/);
    expect(stdout).toMatch(/failed\s+0/);
    expect(stdout).toMatch(/resumes\s+[1-9]/);
    expect(stdout).toMatch(/stalls detected\s+[1-9]/);
    expect(stdout).toMatch(/429s seen\s+[1-9]/);
    expect(stdout).toMatch(/output tokens kept by resuming\s+[1-9]\d*/);
    expect(stdout).not.toContain('\u001b[');
  });
});
