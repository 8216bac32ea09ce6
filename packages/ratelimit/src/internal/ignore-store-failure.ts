/**
 * For store operations nobody awaits (a refund, a sync from headers, a throttle mark): a failure
 * leaves the limiter more cautious than it needs to be until the next success, and there is no
 * caller to hand the error to.
 */
export function ignoreStoreFailure(): void {}
