/**
 * Helpers that Bulwark's own packages need from the streaming client: `@bulwark/stream/internal`.
 * Not for users: nothing here is covered by semantic versioning.
 */
export { streamingBehaviourOptions } from './options.js';
