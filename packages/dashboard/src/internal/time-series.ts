/** The per-second counters of the charts. */
export const counterNames = [
  'outputTokens',
  'admitted',
  'started',
  'rateLimited',
  'retries',
  'resumes',
] as const;
export type CounterName = (typeof counterNames)[number];

/** One completed second: its start (epoch seconds), its counters, and each bucket's used share. */
export interface SeriesPoint {
  t: number;
  counts: Record<CounterName, number>;
  /** Used share (0–1) per `modelClass bucket`, as last seen in that second. */
  levels: Record<string, number>;
}

const maxLevelSeries = 12;

const zeroCounts = (): Record<CounterName, number> =>
  Object.fromEntries(counterNames.map((name) => [name, 0])) as Record<CounterName, number>;

/**
 * The last `seconds` seconds of counters, one point per second, in a ring: memory stays
 * constant whatever the traffic. Seconds with no event are zero points, so the charts' time
 * axis has no gaps.
 */
export class TimeSeries {
  private readonly points: SeriesPoint[] = [];
  private current: SeriesPoint | undefined;
  /** The latest used share per level key, carried over from second to second. */
  private readonly levels = new Map<string, number>();

  constructor(private readonly seconds = 900) {}

  count(nowMs: number, name: CounterName, amount = 1): void {
    this.pointAt(nowMs).counts[name] += amount;
  }

  /** Records the used share of a bucket (`1 − available ÷ capacity`). */
  level(nowMs: number, key: string, usedShare: number): void {
    if (!this.levels.has(key) && this.levels.size >= maxLevelSeries) return;
    this.levels.set(key, Math.min(1, Math.max(0, usedShare)));
    this.pointAt(nowMs);
  }

  /** Closes the seconds before `nowMs`; returns the completed points after second `afterT`. */
  completedSince(nowMs: number, afterT: number): SeriesPoint[] {
    this.pointAt(nowMs);
    const result: SeriesPoint[] = [];
    for (const point of this.points) if (point.t > afterT) result.push(point);
    return result;
  }

  /** The latest completed second, or 0 when none. */
  lastCompleted(): number {
    return this.points.at(-1)?.t ?? 0;
  }

  private pointAt(nowMs: number): SeriesPoint {
    const second = Math.floor(nowMs / 1000);
    if (this.current && this.current.t === second) return this.current;
    if (this.current && second > this.current.t) {
      this.close(this.current);
      // Empty seconds between the last event and now, at most a window's worth.
      for (let t = Math.max(this.current.t + 1, second - this.seconds); t < second; t += 1) {
        this.close({ t, counts: zeroCounts(), levels: {} });
      }
    }
    if (!this.current || second > this.current.t)
      this.current = { t: second, counts: zeroCounts(), levels: {} };
    return this.current;
  }

  private close(point: SeriesPoint): void {
    point.levels = Object.fromEntries(this.levels);
    this.points.push(point);
    if (this.points.length > this.seconds) this.points.splice(0, this.points.length - this.seconds);
  }
}
