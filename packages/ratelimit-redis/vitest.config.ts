import { defineProject } from 'vitest/config';
import { workspaceSourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceSourceAliases() },
  // These tests talk to a real Redis and spawn processes: generous limits for a loaded machine,
  // and one file at a time so the throwaway Redis servers and worker processes do not pile up.
  test: {
    name: '@bulwark/ratelimit-redis',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
