import { defineProject } from 'vitest/config';

// No source aliases here, unlike the packages' own tests: every runtime, Node included, loads the
// built packages (`dist/`) through node_modules, as a user gets them.
export default defineProject({
  test: { name: '@bulwark/runtime-tests', testTimeout: 60_000, hookTimeout: 120_000 },
});
