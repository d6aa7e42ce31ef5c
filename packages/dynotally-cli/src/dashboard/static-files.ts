import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file the dashboard serves.
 *
 * @example
 * ```ts
 * const file: StaticFile = { path: '/srv/index.html', type: 'text/html; charset=utf-8' };
 * ```
 */
export interface StaticFile {
  path: string;
  type: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The chart.js UMD build inside `node_modules` (served to the browser; never fetched from a CDN).
 *
 * @example
 * ```ts
 * chartJsPath(); // '/…/node_modules/chart.js/dist/chart.umd.min.js'
 * ```
 */
export function chartJsPath(): string {
  // The package exports no subpath for the UMD file; it sits beside the CommonJS entry point.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

/**
 * URL path → file, for the page, its script and styles, and chart.js.
 *
 * @example
 * ```ts
 * staticFiles()['/app.js']?.type; // 'text/javascript; charset=utf-8'
 * ```
 */
export function staticFiles(): Readonly<Record<string, StaticFile>> {
  return {
    '/': { path: join(here, 'public', 'index.html'), type: 'text/html; charset=utf-8' },
    '/app.js': { path: join(here, 'public', 'app.js'), type: 'text/javascript; charset=utf-8' },
    '/app.css': { path: join(here, 'public', 'app.css'), type: 'text/css; charset=utf-8' },
    '/vendor/chart.umd.min.js': { path: chartJsPath(), type: 'text/javascript; charset=utf-8' },
  };
}

/**
 * Reads a static file once and keeps it in memory.
 *
 * @example
 * ```ts
 * const load = staticLoader();
 * const body = await load(staticFiles()['/']!);
 * ```
 */
export function staticLoader(): (file: StaticFile) => Promise<Buffer> {
  const cache = new Map<string, Promise<Buffer>>();
  return (file) => {
    let body = cache.get(file.path);
    if (body === undefined) {
      body = readFile(file.path);
      body.catch(() => cache.delete(file.path));
      cache.set(file.path, body);
    }
    return body;
  };
}
