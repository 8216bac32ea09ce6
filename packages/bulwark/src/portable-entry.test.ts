import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceDirectory = dirname(fileURLToPath(import.meta.url));

/** Every module specifier `file` imports or re-exports (static imports only). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((match) => match[1]!);
}

/** The files the entry reaches through relative imports, and every bare specifier they use. */
function reachableFrom(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const pending = [join(sourceDirectory, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe('the portable entry', () => {
  it('reaches no node: module and not @bulwark/files, so createClient runs on edge runtimes', () => {
    const { files, packages } = reachableFrom('index.ts');
    expect(files.length).toBeGreaterThan(3);
    expect([...packages].filter((name) => name.startsWith('node:') || name === '@bulwark/files')).toEqual([]);
  });

  it('is what bulwark/node builds on, with the file features added there', () => {
    const { packages } = reachableFrom('node.ts');
    expect(packages.has('@bulwark/files')).toBe(true);
  });
});
