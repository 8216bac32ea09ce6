const slotsPerWindow = 60;

/**
 * A sum over the last `windowMs`, kept in 60 time slots so memory and work stay constant
 * whatever the event rate. Amounts expire a slot at a time (a window of 5 minutes moves in
 * 5-second steps).
 */
export class SlidingSum {
  private readonly slotMs: number;
  private readonly amounts = new Float64Array(slotsPerWindow);
  private readonly slotNumbers = new Float64Array(slotsPerWindow).fill(-1);

  constructor(windowMs: number) {
    this.slotMs = Math.max(1, windowMs / slotsPerWindow);
  }

  add(nowMs: number, amount = 1): void {
    const slotNumber = Math.floor(nowMs / this.slotMs);
    const index = slotNumber % slotsPerWindow;
    if (this.slotNumbers[index] !== slotNumber) {
      this.slotNumbers[index] = slotNumber;
      this.amounts[index] = 0;
    }
    this.amounts[index]! += amount;
  }

  /** The sum of the amounts added within the window that ends at `nowMs`. */
  total(nowMs: number): number {
    const current = Math.floor(nowMs / this.slotMs);
    let sum = 0;
    for (let index = 0; index < slotsPerWindow; index += 1) {
      const slotNumber = this.slotNumbers[index]!;
      if (slotNumber > current - slotsPerWindow && slotNumber <= current) sum += this.amounts[index]!;
    }
    return sum;
  }
}

/** Timed samples over the last `windowMs`, at most `capacity` of them (the oldest go first). */
export class SampleWindow {
  private times: number[] = [];
  private values: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly capacity = 10_000,
  ) {}

  add(nowMs: number, value: number): void {
    this.times.push(nowMs);
    this.values.push(value);
    if (this.times.length > this.capacity) this.drop(this.times.length - this.capacity);
  }

  /** The samples of the window that ends at `nowMs`, oldest first. */
  samples(nowMs: number): readonly number[] {
    let expired = 0;
    while (expired < this.times.length && this.times[expired]! <= nowMs - this.windowMs) expired += 1;
    if (expired > 0) this.drop(expired);
    return this.values;
  }

  private drop(count: number): void {
    this.times = this.times.slice(count);
    this.values = this.values.slice(count);
  }
}

/** The `quantile` (0–1) of `values` by the nearest-rank method; `undefined` when empty. */
export function quantile(values: readonly number[], share: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(share * sorted.length)));
  return sorted[rank - 1];
}
