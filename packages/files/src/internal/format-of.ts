import { extname } from 'node:path';
import type { ChunkFormat } from '../chunk.js';

const markdown = new Set(['.md', '.markdown', '.mdx', '.mdown', '.mkd']);
const source = new Set([
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.py',
  '.rb',
  '.go',
  '.rs',
  '.java',
  '.kt',
  '.kts',
  '.scala',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.hpp',
  '.cs',
  '.swift',
  '.php',
  '.lua',
  '.sh',
  '.bash',
  '.zsh',
  '.pl',
  '.r',
  '.jl',
  '.ex',
  '.exs',
  '.erl',
  '.hs',
  '.ml',
  '.clj',
  '.dart',
  '.vue',
  '.svelte',
  '.sql',
  '.css',
  '.scss',
  '.less',
  '.zig',
  '.nim',
]);

/** Which boundaries a file prefers, from its extension. */
export function formatOf(path: string): ChunkFormat {
  const extension = extname(path).toLowerCase();
  if (markdown.has(extension)) return 'markdown';
  if (source.has(extension)) return 'source';
  return 'text';
}
