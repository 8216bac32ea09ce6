/**
 * Helpers that Bulwark's own packages need from the rate limiter: `@bulwark/ratelimit/internal`.
 * Not for users: nothing here is covered by semantic versioning.
 */
export { rateLimiterBehaviourOptions } from './options.js';
