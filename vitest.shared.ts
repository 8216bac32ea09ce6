import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = dirname(fileURLToPath(import.meta.url));

/**
 * Tests run on source, not on builds: every workspace package name resolves to its
 * `src/index.ts` (and `name/sub` to `src/sub.ts`), so a test never sees a stale `dist/`.
 */
export function workspaceSourceAliases(): Array<{ find: RegExp; replacement: string }> {
  const packagesDirectory = join(repositoryRoot, 'packages');
  const aliases: Array<{ find: RegExp; replacement: string }> = [];
  for (const entry of readdirSync(packagesDirectory, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const packageDirectory = join(packagesDirectory, entry.name);
    let name: string;
    try {
      name = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')).name;
    } catch {
      continue;
    }
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    aliases.push({ find: new RegExp(`^${escaped}$`), replacement: join(packageDirectory, 'src/index.ts') });
    aliases.push({ find: new RegExp(`^${escaped}/(.+)$`), replacement: join(packageDirectory, 'src/$1.ts') });
  }
  return aliases;
}
