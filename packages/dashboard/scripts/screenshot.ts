/**
 * Regenerates the README's screenshot (`pnpm --filter @bulwark/dashboard screenshot`): a batch
 * of 40 long generations with faults against `@bulwark/testing`, on a manual clock, with the
 * dashboard open in Debian's Chromium, captured mid-run.
 */
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { watchAlerts } from '@bulwark/alerts';
import { createBus, createManualClock } from '@bulwark/core';
import { createRateLimiter } from '@bulwark/ratelimit';
import { createStreamingClient } from '@bulwark/stream';
import { startMockServer } from '@bulwark/testing';
import { startDashboard } from '../src/start-dashboard.js';
import { launchChromium } from '../src/test-support/browser.js';
import { driveUntil } from '../src/test-support/drive.js';

const output = fileURLToPath(new URL('../screenshot.png', import.meta.url));
const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 30, 0));
const bus = createBus();
const server = await startMockServer({
  seed: 2026,
  clock,
  tokensPerSecond: 40,
  outputTokens: { min: 300, max: 1_200 },
  rateLimits: { requestsPerMinute: 30, outputTokensPerMinute: 60_000 },
  faults: {
    schedule: {
      3: { kind: 'stall', afterEvents: 80, durationMs: 600_000 },
      5: { kind: 'status', status: 529 },
      8: { kind: 'drop', afterEvents: 200 },
      11: { kind: 'status', status: 400, errorType: 'invalid_request_error' },
      14: { kind: 'error_event', afterEvents: 120 },
    },
  },
});
const limiter = createRateLimiter({
  bus,
  clock,
  limits: { requestsPerMinute: 20, inputTokensPerMinute: 100_000, outputTokensPerMinute: 40_000 },
});
const client = createStreamingClient({
  client: new Anthropic({ apiKey: 'screenshot-key', baseURL: server.url, maxRetries: 0 }),
  bus,
  clock,
  admission: limiter,
  progressIntervalMs: 500,
  stallTimeoutMs: 5_000,
  initialRetryDelayMs: 3_000,
  random: () => 0.9,
});
const alerts = watchAlerts(bus, { clock, windowMs: 60_000, rules: { stalls: { minSamples: 5 } } });
const dashboard = await startDashboard({ bus, clock, title: 'Bulwark: nightly batch' });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 1100 }, bypassCSP: true });
await page.goto(dashboard.url);

const runs = Array.from({ length: 40 }, (_, index) =>
  client
    .createMessage(
      {
        model: index % 4 === 0 ? 'claude-opus-4-6' : 'claude-sonnet-4-6',
        max_tokens: 8_000,
        messages: [{ role: 'user', content: `Write chapter ${index + 1}.` }],
      },
      { requestId: `chapter_${String(index + 1).padStart(2, '0')}` },
    )
    .catch(() => undefined),
);
await driveUntil(
  page,
  clock,
  dashboard.url,
  (view) =>
    view.totals.completed !== '0' &&
    view.totals.resumes !== '0' &&
    view.failures.length > 0 &&
    view.alerts.length > 0,
  { stepMs: 250, maxSteps: 20_000 },
);
await driveUntil(page, clock, dashboard.url, () => false, { stepMs: 250, maxSteps: 40 }).catch(
  () => undefined,
);
await page.screenshot({ path: output, fullPage: true });
console.log(`wrote ${output}`);

await browser.close();
await dashboard.close();
alerts.detach();
limiter.close();
await server.close();
void Promise.allSettled(runs);
process.exit(0);
