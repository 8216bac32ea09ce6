import { EventEmitter } from 'eventemitter3';
import type { BulwarkEvents } from './events.js';

/** Listener signatures for every Bulwark event: one payload argument each. */
export type BulwarkEventListeners = {
  [Name in keyof BulwarkEvents]: (payload: BulwarkEvents[Name]) => void;
};

/**
 * The typed event bus every package emits on and subscribes to: an EventEmitter3 whose
 * `on`, `once`, `off` and `emit` are typed by `BulwarkEvents`. Listeners run synchronously
 * in the emitter's call, so they should be quick and must not throw.
 */
export type Bus = EventEmitter<BulwarkEventListeners>;

/** Creates a bus. Share one between packages to let them compose. */
export function createBus(): Bus {
  return new EventEmitter<BulwarkEventListeners>();
}
