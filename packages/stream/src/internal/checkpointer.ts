import type { Bus, CheckpointStore, Clock } from '@bulwark/core';
import type { StreamCheckpoint } from '../checkpoint-record.js';

/**
 * Saves checkpoints of one request every `everyTokens` output tokens or `intervalMs`,
 * one save at a time (a save never races the next), and deletes the checkpoint on success.
 */
export class Checkpointer {
  private lastTokens = 0;
  private lastSavedAtMs: number;
  private chain: Promise<void> = Promise.resolve();
  private saving = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly key: string,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly everyTokens: number,
    private readonly intervalMs: number,
    private readonly record: () => StreamCheckpoint,
  ) {
    this.lastSavedAtMs = clock.now();
  }

  /** Saves when enough tokens or time passed since the last save and none is under way. */
  maybeSave(outputTokens: number): void {
    if (this.saving) return;
    if (
      outputTokens - this.lastTokens < this.everyTokens &&
      this.clock.now() - this.lastSavedAtMs < this.intervalMs
    ) {
      return;
    }
    void this.save();
  }

  /** Saves now (after any save under way); never rejects: a failed save only skips a checkpoint. */
  save(): Promise<void> {
    const record = this.record();
    this.saving = true;
    this.lastTokens = record.outputTokens;
    this.lastSavedAtMs = this.clock.now();
    this.chain = this.chain
      .then(() => this.store.save(this.key, record))
      .then(
        () => {
          this.bus.emit('checkpoint:saved', {
            requestId: record.requestId,
            key: this.key,
            outputTokens: record.outputTokens,
          });
        },
        () => {},
      )
      .finally(() => {
        this.saving = false;
      });
    return this.chain;
  }

  /** Removes the checkpoint once the request completed (after any save under way). */
  async delete(): Promise<void> {
    this.chain = this.chain.then(() => this.store.delete(this.key)).catch(() => {});
    await this.chain;
  }
}
