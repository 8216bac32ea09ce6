import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  invalidArgument,
} from '@bulwark/core/internal';
import type { Fault, FaultKind, FaultPlan } from '../fault.js';
import { randomFor } from './random.js';

const faultKinds: readonly FaultKind[] = [
  'status',
  'spend_limit',
  'reset_before_headers',
  'slow_headers',
  'drop',
  'close_without_stop',
  'stall',
  'error_event',
  'malformed',
];

const afterEventsRule = { min: 0, integer: true } as const;

/** Checks a fault (from options, a schedule, or the `x-bulwark-fault` header). */
export function parseFault(argument: string, value: unknown): Fault {
  const record = expectObject(argument, value);
  const kind = expectOneOf(`${argument}.kind`, record.kind, faultKinds);
  switch (kind) {
    case 'status': {
      expectKnownKeys(argument, record, ['kind', 'status', 'errorType', 'retryAfterSeconds', 'shouldRetry']);
      const fault: Fault = {
        kind,
        status: expectNumber(`${argument}.status`, record.status, { min: 400, max: 599, integer: true }),
      };
      if (record.errorType !== undefined) {
        if (typeof record.errorType !== 'string' || record.errorType.length === 0) {
          throw invalidArgument(`${argument}.errorType`, 'a non-empty string', record.errorType);
        }
        fault.errorType = record.errorType;
      }
      if (record.retryAfterSeconds !== undefined) {
        fault.retryAfterSeconds = expectNumber(`${argument}.retryAfterSeconds`, record.retryAfterSeconds, {
          min: 0,
        });
      }
      if (record.shouldRetry !== undefined) {
        if (typeof record.shouldRetry !== 'boolean') {
          throw invalidArgument(`${argument}.shouldRetry`, 'a boolean', record.shouldRetry);
        }
        fault.shouldRetry = record.shouldRetry;
      }
      return fault;
    }
    case 'spend_limit':
    case 'reset_before_headers':
      expectKnownKeys(argument, record, ['kind']);
      return { kind };
    case 'slow_headers':
      expectKnownKeys(argument, record, ['kind', 'delayMs']);
      return { kind, delayMs: expectNumber(`${argument}.delayMs`, record.delayMs, { min: 0 }) };
    case 'drop':
    case 'close_without_stop':
    case 'malformed':
      expectKnownKeys(argument, record, ['kind', 'afterEvents']);
      return {
        kind,
        afterEvents: expectNumber(`${argument}.afterEvents`, record.afterEvents, afterEventsRule),
      };
    case 'stall': {
      expectKnownKeys(argument, record, ['kind', 'afterEvents', 'durationMs', 'pings']);
      const fault: Fault = {
        kind,
        afterEvents: expectNumber(`${argument}.afterEvents`, record.afterEvents, afterEventsRule),
        durationMs: expectNumber(`${argument}.durationMs`, record.durationMs, { min: 0 }),
      };
      if (record.pings !== undefined) {
        if (typeof record.pings !== 'boolean')
          throw invalidArgument(`${argument}.pings`, 'a boolean', record.pings);
        fault.pings = record.pings;
      }
      return fault;
    }
    case 'error_event': {
      expectKnownKeys(argument, record, ['kind', 'afterEvents', 'errorType']);
      const fault: Fault = {
        kind,
        afterEvents: expectNumber(`${argument}.afterEvents`, record.afterEvents, afterEventsRule),
      };
      if (record.errorType !== undefined) {
        fault.errorType = expectOneOf(`${argument}.errorType`, record.errorType, [
          'overloaded_error',
          'api_error',
        ] as const);
      }
      return fault;
    }
  }
}

/** Checks a fault plan; schedule keys must be 1-based request indexes. */
export function parseFaultPlan(argument: string, value: unknown): FaultPlan {
  const record = expectObject(argument, value);
  expectKnownKeys(argument, record, ['schedule', 'random']);
  const plan: FaultPlan = {};
  if (record.schedule !== undefined) {
    const schedule = expectObject(`${argument}.schedule`, record.schedule);
    plan.schedule = {};
    for (const [key, fault] of Object.entries(schedule)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 1) {
        throw invalidArgument(`${argument}.schedule`, 'keyed by 1-based request indexes', key);
      }
      plan.schedule[index] = parseFault(`${argument}.schedule.${key}`, fault);
    }
  }
  if (record.random !== undefined) {
    const random = expectObject(`${argument}.random`, record.random);
    expectKnownKeys(`${argument}.random`, random, ['probability', 'faults']);
    const probability = expectNumber(`${argument}.random.probability`, random.probability, {
      min: 0,
      max: 1,
    });
    if (!Array.isArray(random.faults) || random.faults.length === 0) {
      throw invalidArgument(`${argument}.random.faults`, 'a non-empty array of faults', random.faults);
    }
    const faults = random.faults.map((fault, index) =>
      parseFault(`${argument}.random.faults[${index}]`, fault),
    );
    plan.random = { probability, faults };
  }
  return plan;
}

/** The fault of the `index`-th messages request: from the schedule, else drawn from the seed. */
export function plannedFault(plan: FaultPlan, seed: number, index: number): Fault | undefined {
  const scheduled = plan.schedule?.[index];
  if (scheduled) return scheduled;
  const random = plan.random;
  if (!random || random.probability === 0) return undefined;
  const draw = randomFor(seed, 'fault', String(index));
  if (draw() >= random.probability) return undefined;
  return random.faults[Math.floor(draw() * random.faults.length)];
}
