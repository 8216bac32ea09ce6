import { addUsage, emptyUsage, type Usage } from '@bulwark/core';

/** What a request in flight is doing. */
export type RequestState = 'waiting' | 'sending' | 'streaming' | 'retrying' | 'resuming' | 'stalled';

/** A request in flight, as the server keeps it. */
export interface RequestEntry {
  id: string;
  model: string;
  state: RequestState;
  attempt: number;
  outputTokens: number;
  maxTokens: number | null;
  percent: number;
  tokensPerSecond: number;
  etaMs: number | null;
  /** When the scheduled retry is due (epoch ms), while `retrying`. */
  retryAt: number | null;
  /** The bucket it waits for, while `waiting`. */
  bucket: string | null;
  startedAt: number;
  updatedAt: number;
  /** Output tokens already counted in the charts. */
  chartedOutputTokens: number;
  /** Usage summed over its attempts, for `/metrics` when it fails. */
  usage: Usage;
}

/**
 * A request as the page receives it, a compact tuple:
 * `[id, model, state, attempt, outputTokens, maxTokens, percent, tokensPerSecond, etaMs, retryAt, bucket, startedAt]`.
 */
export type RequestRow = [
  string,
  string,
  RequestState,
  number,
  number,
  number | null,
  number,
  number,
  number | null,
  number | null,
  string | null,
  number,
];

export function rowOf(entry: RequestEntry): RequestRow {
  return [
    entry.id,
    entry.model,
    entry.state,
    entry.attempt,
    Math.round(entry.outputTokens),
    entry.maxTokens,
    Math.round(entry.percent * 10) / 10,
    Math.round(entry.tokensPerSecond * 10) / 10,
    entry.etaMs === null ? null : Math.round(entry.etaMs),
    entry.retryAt,
    entry.bucket,
    entry.startedAt,
  ];
}

/**
 * The requests in flight, with what changed since the last frame. Bounded: beyond
 * `maxEntries`, or when silent for `staleAfterMs` (a request whose end never came), the
 * entry that was updated longest ago is dropped.
 */
export class RequestTable {
  private readonly entries = new Map<string, RequestEntry>();
  private changed = new Set<string>();
  private removed = new Set<string>();

  constructor(
    private readonly maxEntries: number,
    private readonly staleAfterMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): RequestEntry | undefined {
    return this.entries.get(id);
  }

  /** The entry of `id`, made when it is new; marked changed either way. */
  touch(id: string, model: string, nowMs: number): RequestEntry {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = {
        id,
        model,
        state: 'sending',
        attempt: 1,
        outputTokens: 0,
        maxTokens: null,
        percent: 0,
        tokensPerSecond: 0,
        etaMs: null,
        retryAt: null,
        bucket: null,
        startedAt: nowMs,
        updatedAt: nowMs,
        chartedOutputTokens: 0,
        usage: emptyUsage(),
      };
      this.entries.set(id, entry);
      this.removed.delete(id);
      if (this.entries.size > this.maxEntries) this.evictOldest();
    } else {
      // Map order is update order, so the oldest update is always first.
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    entry.model = model;
    entry.updatedAt = nowMs;
    this.changed.add(id);
    return entry;
  }

  addUsage(id: string, usage: Usage): void {
    const entry = this.entries.get(id);
    if (entry) entry.usage = addUsage(entry.usage, usage);
  }

  remove(id: string): RequestEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.changed.delete(id);
    this.removed.add(id);
    return entry;
  }

  /** Drops entries silent for longer than `staleAfterMs`. */
  sweep(nowMs: number): void {
    for (const entry of this.entries.values()) {
      if (nowMs - entry.updatedAt <= this.staleAfterMs) break;
      this.remove(entry.id);
    }
  }

  rows(): RequestRow[] {
    return [...this.entries.values()].map(rowOf);
  }

  countBy(model: string): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.model === model) count += 1;
    return count;
  }

  models(): Set<string> {
    return new Set([...this.entries.values()].map((entry) => entry.model));
  }

  /** What changed since the last call: rows to upsert and ids to remove. */
  takeChanges(): { upserts: RequestRow[]; removed: string[] } {
    const upserts: RequestRow[] = [];
    for (const id of this.changed) {
      const entry = this.entries.get(id);
      if (entry) upserts.push(rowOf(entry));
    }
    const removed = [...this.removed];
    this.changed = new Set();
    this.removed = new Set();
    return { upserts, removed };
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.remove(oldest.value);
  }
}
