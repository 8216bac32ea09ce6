#!/usr/bin/env node
/**
 * Checks that each published package's README names exactly what its entry points export.
 *
 * Every entry point in a package's `exports` map that is meant for users (`.` and any other
 * subpath except `./internal` and `./package.json`) has its names listed in the README on one
 * line that starts with `Exports of \`<import path>\`:` followed by the names in backticks.
 * The check fails when a name is exported but not listed, or listed but not exported.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDirectory = join(root, 'packages');

/** The names a TypeScript module exports, read from its source (re-exports included). */
export function exportedNames(source) {
  const names = new Set();
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const match of withoutComments.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of match[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '');
      if (!name) continue;
      const alias = name.split(/\s+as\s+/);
      names.add((alias[1] ?? alias[0]).trim());
    }
  }
  const declaration =
    /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/g;
  for (const match of withoutComments.matchAll(declaration)) names.add(match[1]);
  return names;
}

function starExports(source) {
  return [...source.matchAll(/export\s+\*\s+from\s+'([^']+)'/g)].map((match) => match[1]);
}

function sourceOf(packageDirectory, target) {
  const relative = target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
  return join(packageDirectory, relative);
}

/** Names exported by an entry file, following `export *` of the package's own modules. */
function namesOfEntry(file, seen = new Set()) {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  const names = exportedNames(source);
  for (const specifier of starExports(source)) {
    if (!specifier.startsWith('.')) throw new Error(`${file}: export * from a package (${specifier})`);
    for (const name of namesOfEntry(join(dirname(file), specifier.replace(/\.js$/, '.ts')), seen)) {
      names.add(name);
    }
  }
  return names;
}

function listedNames(readme, importPath) {
  const marker = `Exports of \`${importPath}\`:`;
  const line = readme.split('\n').find((candidate) => candidate.startsWith(marker));
  if (line === undefined) return undefined;
  return new Set([...line.slice(marker.length).matchAll(/`([^`]+)`/g)].map((match) => match[1]));
}

const problems = [];
for (const entry of readdirSync(packagesDirectory, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const packageDirectory = join(packagesDirectory, entry.name);
  const manifestPath = join(packageDirectory, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.private) continue;
  const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json' || subpath === './internal') continue;
    const importTarget = typeof target === 'string' ? target : (target.import ?? target.default);
    if (typeof importTarget !== 'string' || !importTarget.endsWith('.js')) continue;
    const importPath = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    const exported = namesOfEntry(sourceOf(packageDirectory, importTarget));
    const listed = listedNames(readme, importPath);
    if (listed === undefined) {
      problems.push(`${entry.name}/README.md has no line starting "Exports of \`${importPath}\`:"`);
      continue;
    }
    const missing = [...exported].filter((name) => !listed.has(name)).sort();
    const extra = [...listed].filter((name) => !exported.has(name)).sort();
    if (missing.length > 0)
      problems.push(`${importPath}: exported but not in the README: ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`${importPath}: in the README but not exported: ${extra.join(', ')}`);
  }
}

if (problems.length > 0) {
  console.error(`README exports check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('README exports check: every entry point lists exactly what it exports');
