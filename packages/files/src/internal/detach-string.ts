/**
 * A copy of `text` that keeps no larger string alive. V8 represents a slice of 13 or more
 * characters as a view into its parent, so a 4 KB chunk sliced from a 128 KB window would keep
 * the whole window in memory for as long as the caller holds the chunk. Slicing a fresh
 * concatenation flattens it into a new string one character longer than `text`, and the
 * result points only into that.
 */
export function detachString(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
