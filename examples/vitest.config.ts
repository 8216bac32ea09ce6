import { defineProject } from 'vitest/config';
import { workspaceSourceAliases } from '../vitest.shared.js';

// Unit tests of the examples' support code run on source; the smoke tests run each example as
// a child process against the built packages, the way a user runs them.
export default defineProject({
  resolve: { alias: workspaceSourceAliases() },
  test: { name: '@bulwark/examples', testTimeout: 120_000, hookTimeout: 60_000 },
});
