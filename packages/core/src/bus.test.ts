import { describe, expect, it, vi } from 'vitest';
import { createBus } from './bus.js';
import type { UsageEvent } from './request-events.js';
import { emptyUsage } from './usage.js';

const usageEvent = (requestId: string): UsageEvent => ({
  requestId,
  model: 'claude-sonnet-4-5',
  attempt: 1,
  usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5 },
  partial: false,
});

describe('createBus', () => {
  it('delivers a typed payload to every listener of the event, in subscription order', () => {
    const bus = createBus();
    const received: string[] = [];
    bus.on('usage', (payload) => received.push(`first:${payload.requestId}:${payload.usage.outputTokens}`));
    bus.on('usage', (payload) => received.push(`second:${payload.requestId}`));
    bus.emit('usage', usageEvent('req_1'));
    expect(received).toEqual(['first:req_1:5', 'second:req_1']);
  });

  it('does not deliver an event to listeners of another event', () => {
    const bus = createBus();
    const onStall = vi.fn();
    bus.on('stream:stall', onStall);
    bus.emit('usage', usageEvent('req_1'));
    expect(onStall).not.toHaveBeenCalled();
  });

  it('calls a once listener for the first emission only', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.once('usage', listener);
    bus.emit('usage', usageEvent('req_1'));
    bus.emit('usage', usageEvent('req_2'));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]?.[0].requestId).toBe('req_1');
  });

  it('stops calling a listener after off', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('usage', listener);
    bus.emit('usage', usageEvent('req_1'));
    bus.off('usage', listener);
    bus.emit('usage', usageEvent('req_2'));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(bus.listenerCount('usage')).toBe(0);
  });

  it('keeps two buses independent', () => {
    const first = createBus();
    const second = createBus();
    const listener = vi.fn();
    first.on('usage', listener);
    second.emit('usage', usageEvent('req_1'));
    expect(listener).not.toHaveBeenCalled();
  });

  it('rejects a wrongly typed payload at compile time', () => {
    const bus = createBus();
    // @ts-expect-error a usage event needs requestId, model, attempt, usage and partial
    bus.emit('usage', { requestId: 'req_1' });
    // @ts-expect-error no such event
    bus.on('no:such-event', () => {});
    expect(bus.eventNames()).toEqual(['no:such-event']);
  });
});
