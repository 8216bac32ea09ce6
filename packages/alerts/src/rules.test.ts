import { describe, expect, it } from 'vitest';
import { attemptFailed, attemptStarted, only, requestEnded, scripted } from './test-support/script.js';

const model = 'claude-sonnet-4-6';

describe('share rules over a sliding window', () => {
  it('raises rateLimited once when 429s pass 10 % of attempts and resolves it once when they stop', () => {
    const run = scripted({ rules: only('rateLimited') });
    // Two attempts a second: a calm minute, a minute with a 429 on every fourth attempt, three calm minutes.
    run.run(60_000, 500, (index) => attemptStarted(run.bus, `calm_${index}`));
    run.run(60_000, 500, (index) => {
      attemptStarted(run.bus, `busy_${index}`);
      if (index % 4 === 0) attemptFailed(run.bus, `busy_${index}`, { status: 429, willRetry: true });
    });
    run.run(180_000, 500, (index) => attemptStarted(run.bus, `after_${index}`));
    expect(run.log).toEqual(['raised rateLimited', 'resolved rateLimited']);
    expect(run.raised[0]).toMatchObject({ ruleId: 'rateLimited', severity: 'warning', threshold: 0.1 });
    expect(run.raised[0]!.value).toBeGreaterThanOrEqual(0.1);
    expect(run.resolved[0]!.value).toBeLessThan(0.08);
    expect(run.resolved[0]!.raisedAt).toBe(run.raised[0]!.at);
  });

  it('raises failures once when requests fail for good and resolves once they succeed again', () => {
    const run = scripted({ rules: only('failures') });
    run.run(60_000, 1_000, (index) => requestEnded(run.bus, `ok_${index}`));
    run.run(30_000, 1_000, (index) =>
      attemptFailed(run.bus, `bad_${index}`, { status: 500, willRetry: index % 2 === 0 }),
    );
    run.run(120_000, 1_000, (index) => requestEnded(run.bus, `again_${index}`));
    expect(run.log).toEqual(['raised failures', 'resolved failures']);
    expect(run.raised[0]!.severity).toBe('critical');
  });

  it('raises stalls once when streaming attempts stall and resolves once they stop stalling', () => {
    const run = scripted({ rules: only('stalls') });
    run.run(60_000, 1_000, (index) => attemptStarted(run.bus, `s_${index}`));
    run.run(30_000, 1_000, (index) => {
      attemptStarted(run.bus, `t_${index}`);
      if (index % 3 === 0) {
        run.bus.emit('stream:stall', {
          requestId: `t_${index}`,
          model,
          attempt: 1,
          idleMs: 60_000,
          pingsCountAsActivity: false,
        });
      }
    });
    run.run(120_000, 1_000, (index) => attemptStarted(run.bus, `u_${index}`));
    expect(run.log).toEqual(['raised stalls', 'resolved stalls']);
  });

  it('raises retries once when attempts keep being retried and resolves once they are not', () => {
    const run = scripted({ rules: only('retries') });
    run.run(30_000, 1_000, (index) => attemptStarted(run.bus, `a_${index}`));
    run.run(30_000, 1_000, (index) => {
      attemptStarted(run.bus, `b_${index}`);
      run.bus.emit('retry:scheduled', {
        requestId: `b_${index}`,
        model,
        attempt: 1,
        nextAttempt: 2,
        delayMs: 500,
        reason: 'overloaded',
        status: 529,
        resume: false,
      });
    });
    run.run(120_000, 1_000, (index) => attemptStarted(run.bus, `c_${index}`));
    expect(run.log).toEqual(['raised retries', 'resolved retries']);
  });

  it('does not flap while the share wavers around the threshold, thanks to hysteresis', () => {
    const run = scripted({ rules: only('rateLimited') });
    // 429 shares of 12 %, 9 %, 11 %, 9 % ... per 10 s: between the resolve bound (8 %) and above.
    const pattern = [12, 9, 11, 9, 12, 9, 11, 9, 10, 9, 12, 9];
    let index = 0;
    for (const perHundred of pattern) {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        index += 1;
        attemptStarted(run.bus, `w_${index}`);
        if (attempt < perHundred) attemptFailed(run.bus, `w_${index}`, { status: 429, willRetry: true });
        run.clock.tick(100);
      }
    }
    expect(run.log).toEqual(['raised rateLimited']);
    expect(run.watcher.active().map((alert) => alert.alertId)).toEqual(['rateLimited']);
  });

  it('needs minSamples events before judging a share', () => {
    const run = scripted({ rules: only('failures', { minSamples: 5 }) });
    attemptFailed(run.bus, 'one', { status: 500, willRetry: false });
    requestEnded(run.bus, 'two');
    run.clock.tick(10_000);
    expect(run.log).toEqual([]);
  });

  it('takes a threshold and a severity of the caller', () => {
    const run = scripted({ rules: only('failures', { threshold: 0.5, severity: 'warning' }) });
    run.run(20_000, 1_000, (index) => {
      if (index % 3 === 0) attemptFailed(run.bus, `f_${index}`, { status: 500, willRetry: false });
      else requestEnded(run.bus, `f_${index}`);
    });
    expect(run.log).toEqual([]);
    run.run(20_000, 1_000, (index) =>
      attemptFailed(run.bus, `g_${index}`, { status: 500, willRetry: false }),
    );
    expect(run.raised).toMatchObject([{ ruleId: 'failures', severity: 'warning', threshold: 0.5 }]);
  });
});

describe('circuitOpen', () => {
  it('raises once per model while its breaker is open or half-open and resolves once when it closes', () => {
    const run = scripted({ rules: only('circuitOpen') });
    const change = (state: 'open' | 'half_open' | 'closed', previous: 'open' | 'half_open' | 'closed') => {
      run.bus.emit('circuit:state', { model, state, previous, failureRate: 0.6, attempts: 20 });
      run.clock.tick(5_000);
    };
    change('open', 'closed');
    change('half_open', 'open');
    change('open', 'half_open');
    change('half_open', 'open');
    change('closed', 'half_open');
    run.clock.tick(30_000);
    expect(run.log).toEqual([`raised circuitOpen:${model}`, `resolved circuitOpen:${model}`]);
    expect(run.raised[0]).toMatchObject({ subject: model, severity: 'critical', value: 1, threshold: 1 });
    expect(run.raised[0]!.message).toContain('60 %');
  });
});

describe('budget rules', () => {
  const level = (run: ReturnType<typeof scripted>, share: number) => {
    run.bus.emit('budget:level', { model, period: 'hour', kind: 'cost', limit: 10, used: share * 10, share });
    run.clock.tick(60_000);
  };

  it('raises near-limit at 80 % and exceeded at 100 %, once each, and resolves both when the period ends', () => {
    const run = scripted({ rules: { ...only('budgetNearLimit'), budgetExceeded: {} } });
    for (const share of [0.2, 0.5, 0.79, 0.81, 0.9, 0.95, 1, 1.02]) level(run, share);
    expect(run.log).toEqual(['raised budgetNearLimit:hour cost', 'raised budgetExceeded:hour cost']);
    run.clock.tick(60 * 60_000); // into the next UTC hour
    expect(run.log).toEqual([
      'raised budgetNearLimit:hour cost',
      'raised budgetExceeded:hour cost',
      'resolved budgetNearLimit:hour cost',
      'resolved budgetExceeded:hour cost',
    ]);
    expect(run.raised[1]).toMatchObject({ severity: 'critical', threshold: 1, subject: 'hour cost' });
  });

  it('counts a call refused by the budget as exceeding it', () => {
    const run = scripted({ rules: only('budgetExceeded') });
    run.bus.emit('budget:exceeded', {
      model,
      period: 'day',
      kind: 'tokens',
      limit: 1_000,
      used: 700,
      requested: 500,
    });
    run.clock.tick(1_000);
    expect(run.raised).toMatchObject([{ alertId: 'budgetExceeded:day tokens', value: 1.2 }]);
  });
});

describe('timeToFirstToken', () => {
  it('raises once when p95 passes the bound and resolves once when first tokens are quick again', () => {
    const run = scripted({ rules: only('timeToFirstToken') });
    const firstToken = (index: number, timeToFirstTokenMs: number) =>
      run.bus.emit('stream:first_token', { requestId: `r_${index}`, model, attempt: 1, timeToFirstTokenMs });
    run.run(60_000, 1_000, (index) => firstToken(index, 800 + (index % 10) * 100));
    run.run(60_000, 1_000, (index) => firstToken(index, index % 4 === 0 ? 40_000 : 900));
    run.run(120_000, 1_000, (index) => firstToken(index, 1_000));
    expect(run.log).toEqual(['raised timeToFirstToken', 'resolved timeToFirstToken']);
    expect(run.raised[0]).toMatchObject({ threshold: 15_000, value: 40_000 });
  });
});

describe('slowOutput', () => {
  it('learns a model rate, raises once when output falls below half of it and resolves once it recovers', () => {
    const run = scripted({ rules: only('slowOutput', { learnMs: 600_000 }) });
    const progress = (index: number, tokensPerSecond: number) =>
      run.bus.emit('stream:progress', {
        requestId: `p_${index % 20}`,
        model,
        attempt: 1,
        outputTokens: 100,
        tokensPerSecond,
        percentOfMaxTokens: 10,
        etaMs: 1_000,
        elapsedMs: 1_000,
      });
    run.run(600_000, 1_000, (index) => progress(index, 60 + (index % 5)));
    expect(run.log).toEqual([]);
    run.run(300_000, 1_000, (index) => progress(index, 12));
    expect(run.log).toEqual([`raised slowOutput:${model}`]);
    run.run(300_000, 1_000, (index) => progress(index, 61));
    expect(run.log).toEqual([`raised slowOutput:${model}`, `resolved slowOutput:${model}`]);
    expect(run.raised[0]!.value).toBeLessThan(0.5);
  });
});

describe('queueGrowing', () => {
  it('raises once when a queue keeps growing for a window and resolves once when it drains', () => {
    const run = scripted({ rules: only('queueGrowing', { thresholdMs: 30_000 }) });
    const modelClass = 'claude-sonnet-4';
    const wait = (queueLength: number) =>
      run.bus.emit('ratelimit:wait', {
        model,
        modelClass,
        bucket: 'output_tokens',
        waitMs: 5_000,
        queueLength,
      });
    const admit = () =>
      run.bus.emit('ratelimit:admit', {
        model,
        modelClass,
        inputTokens: 10,
        outputTokens: 100,
        waitedMs: 5_000,
        levels: {},
      });
    // Three callers join for every one admitted, for 90 s.
    run.run(90_000, 1_000, (index) => {
      wait(1 + index * 2);
      wait(2 + index * 2);
      if (index > 0) admit();
    });
    expect(run.log).toEqual([`raised queueGrowing:${modelClass}`]);
    // Then the queue drains, three admitted a second.
    run.run(90_000, 1_000, () => {
      admit();
      admit();
      admit();
    });
    expect(run.log).toEqual([`raised queueGrowing:${modelClass}`, `resolved queueGrowing:${modelClass}`]);
  });

  it('stays quiet for a queue that is long but steady', () => {
    const run = scripted({ rules: only('queueGrowing', { thresholdMs: 30_000 }) });
    run.run(120_000, 1_000, () =>
      run.bus.emit('ratelimit:wait', {
        model,
        modelClass: 'claude-sonnet-4',
        bucket: 'requests',
        waitMs: 1_000,
        queueLength: 40,
      }),
    );
    expect(run.log).toEqual([]);
  });
});
