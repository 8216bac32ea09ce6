/**
 * The ground every Bulwark package stands on: one typed event bus that components emit on
 * and subscribers (here a logger) listen to, errors that carry a stable code and what the
 * caller needs to go on, and secrets that never reach a log.
 *
 * Run: pnpm --filter @bulwark/examples exec tsx src/bus-and-errors.ts
 */
import {
  AbortedError,
  attachLogger,
  BulwarkError,
  createBus,
  createManualClock,
  InvalidArgumentError,
  type Logger,
} from '@bulwark/core';
import { createClient } from 'bulwark';

const bus = createBus();

// A logger subscriber: every event, with secrets redacted, printed as one line.
const consoleLine: Logger = {
  debug: () => {},
  info: (fields) => console.log('  [log]', JSON.stringify(fields)),
  warn: (fields) => console.log('  [log]', JSON.stringify(fields)),
  error: (fields) => console.log('  [log]', JSON.stringify(fields)),
};
const detach = attachLogger(bus, consoleLine, { level: 'info' });

// An observer that keeps totals, as usage reports, telemetry and dashboards do. Observers only
// watch: the parts that hold a reservation or an estimate settle it themselves.
let outputTokensSeen = 0;
bus.on('usage', ({ usage }) => {
  outputTokensSeen += usage.outputTokens;
});

console.log('1. Events on the typed bus');
const requestId = 'req_example_1';
bus.emit('retry:scheduled', {
  requestId,
  model: 'claude-sonnet-4-5',
  attempt: 1,
  nextAttempt: 2,
  delayMs: 1_250,
  reason: 'overloaded',
  status: 529,
  resume: true,
});
bus.emit('request:error', {
  requestId,
  model: 'claude-sonnet-4-5',
  attempt: 2,
  // A careless error message with a key in it: the logger subscriber redacts it.
  error: { name: 'AuthenticationError', message: 'invalid x-api-key sk-ant-api03-NOTAREALKEYNOTAREALKEY' },
  willRetry: false,
});
bus.emit('usage', {
  requestId,
  model: 'claude-sonnet-4-5',
  attempt: 2,
  usage: { inputTokens: 1_200, outputTokens: 640, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
  partial: false,
});
console.log(`  output tokens seen by the usage subscriber: ${outputTokensSeen}`);

console.log('\n2. Bad input is refused at the boundary with a typed error');
try {
  createClient({ apiKey: 'unused', limits: { requestsPerMinute: -5 } });
} catch (error) {
  if (InvalidArgumentError.isInstance(error)) {
    console.log(`  ${error.name} [${error.code}] on \`${error.argument}\`: ${error.message}`);
  }
}

console.log('\n3. An abort keeps what was already received');
const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'));
const controller = new AbortController();
const received: string[] = [];
// Waits on the injected clock, and stops at once when the signal aborts.
const wait = (delayMs: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(resolve, delayMs);
    signal.addEventListener('abort', () => {
      timer.cancel();
      reject(signal.reason);
    });
  });
const work = (async () => {
  for (const word of ['The', 'quick', 'brown', 'fox', 'jumps']) {
    await wait(100, controller.signal).catch((cause: unknown) => {
      throw new AbortedError({ cause, partial: received.join(' ') });
    });
    received.push(word);
  }
})();
await clock.advance(350);
controller.abort(new Error('user pressed stop'));
try {
  await work;
} catch (error) {
  if (AbortedError.isInstance(error) && BulwarkError.isInstance(error)) {
    console.log(
      `  ${error.name} [${error.code}] after ${clock.now() - Date.parse('2026-01-01T00:00:00Z')} ms`,
    );
    console.log(`  partial kept: "${String(error.partial)}"`);
  }
}

detach();
console.log('\nDone.');
