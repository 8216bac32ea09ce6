/**
 * The arithmetic of one continuously refilling bucket, shared by the memory store and the
 * limiter's local checks. A Redis store repeats exactly these few lines in Lua.
 */

/** Levels within this of an amount count as enough, so float rounding never adds a wait of 0. */
export const levelTolerance = 1e-9;

/** The level of a bucket `elapsedMs` after it was at `level`, capped at `capacity`. */
export function refilledLevel(
  level: number,
  elapsedMs: number,
  capacity: number,
  refillPerSecond: number,
): number {
  const refilled = level + (Math.max(0, elapsedMs) * refillPerSecond) / 1000;
  return Math.min(refilled, capacity);
}

/** Milliseconds until a bucket at `level` holds `amount` (0 when it already does). */
export function waitForAmountMs(level: number, amount: number, refillPerSecond: number): number {
  const shortfall = amount - level;
  if (shortfall <= levelTolerance) return 0;
  return Math.ceil((shortfall * 1000) / refillPerSecond);
}
