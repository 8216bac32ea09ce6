/**
 * The README's first command. It runs the examples that exist, one after another, and fails
 * if any of them fails.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const examples = ['bus-and-errors.ts'];

for (const example of examples) {
  console.log(`\n=== ${example} ===\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, example)], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${example} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}
