import { defineProject } from 'vitest/config';

// Examples are run as child processes against the built packages, the way a user runs them.
export default defineProject({
  test: { name: '@bulwark/examples', testTimeout: 120_000, hookTimeout: 60_000 },
});
