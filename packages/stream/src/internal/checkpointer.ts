import type { Bus, CheckpointStore, Clock } from '@bulwark/core';
import { summarizeError } from '@bulwark/core/internal';
import type { StreamCheckpoint } from '../checkpoint-record.js';
import type { RunInput } from './run-context.js';
import type { ClientSettings } from './settings.js';

/** True when `value` looks like a checkpoint this version of the client wrote. */
export function isStreamCheckpoint(value: unknown): value is StreamCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StreamCheckpoint>;
  return (
    record.version === 1 &&
    typeof record.requestId === 'string' &&
    typeof record.params === 'object' &&
    record.params !== null &&
    typeof record.snapshot === 'object' &&
    record.snapshot !== null &&
    Array.isArray(record.snapshot.blocks)
  );
}

export interface CheckpointerOptions {
  store: CheckpointStore;
  key: string;
  requestId: string;
  bus: Bus;
  clock: Clock;
  everyTokens: number;
  intervalMs: number;
  /** The record to save, as of now. */
  record: () => StreamCheckpoint;
}

/**
 * Saves checkpoints of one request every `everyTokens` output tokens or `intervalMs`,
 * one save at a time (a save never races the next), and deletes the checkpoint on success.
 * A store that fails is reported (`checkpoint:failed`) and the request goes on: a checkpoint
 * only matters if the process dies, and failing the live request for it would lose more.
 */
export class Checkpointer {
  private lastTokens = 0;
  private lastSavedAtMs: number;
  private chain: Promise<void> = Promise.resolve();
  private saving = false;

  constructor(private readonly options: CheckpointerOptions) {
    this.lastSavedAtMs = options.clock.now();
  }

  /** Saves when enough tokens or time passed since the last save and none is under way. */
  maybeSave(outputTokens: number): void {
    if (this.saving || outputTokens === this.lastTokens) return;
    if (
      outputTokens - this.lastTokens < this.options.everyTokens &&
      this.options.clock.now() - this.lastSavedAtMs < this.options.intervalMs
    ) {
      return;
    }
    void this.save();
  }

  /** Saves now (after any save under way); never rejects: a failed save emits `checkpoint:failed`. */
  save(): Promise<void> {
    const { store, key, bus, clock } = this.options;
    const record = this.options.record();
    this.saving = true;
    this.lastTokens = record.outputTokens;
    this.lastSavedAtMs = clock.now();
    this.chain = this.chain
      .then(() => store.save(key, record))
      .then(
        () => {
          bus.emit('checkpoint:saved', {
            requestId: record.requestId,
            key,
            outputTokens: record.outputTokens,
          });
        },
        (error: unknown) => this.reportFailure('save', error),
      )
      .finally(() => {
        this.saving = false;
      });
    return this.chain;
  }

  /** Removes the checkpoint once the request completed (after any save under way). */
  async delete(): Promise<void> {
    const { store, key } = this.options;
    this.chain = this.chain
      .then(() => store.delete(key))
      .catch((error: unknown) => this.reportFailure('delete', error));
    await this.chain;
  }

  private reportFailure(operation: 'save' | 'delete', error: unknown): void {
    const { bus, key, requestId } = this.options;
    bus.emit('checkpoint:failed', { requestId, key, operation, error: summarizeError(error) });
  }
}

/** The checkpointer of one request, when the client has a store and the request a key. */
export function createRequestCheckpointer(
  settings: ClientSettings,
  input: RunInput,
): Checkpointer | undefined {
  const { checkpoints: store, bus, clock } = settings;
  if (!store || input.checkpointKey === undefined) return undefined;
  const { requestId, params, snapshot, streaming, streamingReason } = input;
  return new Checkpointer({
    store,
    key: input.checkpointKey,
    requestId,
    bus,
    clock,
    everyTokens: settings.checkpointEveryTokens,
    intervalMs: settings.checkpointIntervalMs,
    record: () => ({
      version: 1,
      requestId,
      params,
      streaming,
      streamingReason,
      snapshot: snapshot.toState(),
      outputTokens: snapshot.outputTokens(),
      savedAtMs: clock.now(),
    }),
  });
}
