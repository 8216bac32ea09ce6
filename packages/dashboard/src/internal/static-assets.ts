import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the server sends, read once at start. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const assetsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets');

/** The page and its scripts and styles, by URL path: all from this package and `uplot`, no CDN. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const require = createRequire(import.meta.url);
  const uplotDirectory = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const files: Array<[string, string, string]> = [
    ['/', join(assetsDirectory, 'index.html'), 'text/html; charset=utf-8'],
    ['/assets/dashboard.js', join(assetsDirectory, 'dashboard.js'), 'text/javascript; charset=utf-8'],
    ['/assets/dashboard.css', join(assetsDirectory, 'dashboard.css'), 'text/css; charset=utf-8'],
    [
      '/assets/uPlot.iife.min.js',
      join(uplotDirectory, 'uPlot.iife.min.js'),
      'text/javascript; charset=utf-8',
    ],
    ['/assets/uPlot.min.css', join(uplotDirectory, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const assets = new Map<string, Asset>();
  for (const [path, file, contentType] of files) {
    assets.set(path, { body: await readFile(file), contentType });
  }
  return assets;
}
