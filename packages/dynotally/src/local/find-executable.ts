import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of the first executable named `name` on `PATH`, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * findExecutable('redis-server'); // '/usr/bin/redis-server' or undefined
 * ```
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const n of names) {
      const candidate = join(dir, n);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/**
 * The `redis-server` on `PATH` (what `startRedisServer` runs), or `undefined` when it is not
 * installed — the dev stack then runs S4 direct.
 *
 * @example
 * ```ts
 * if (findRedisServer() === undefined) console.log('apt-get install redis-server for the buffered mode');
 * ```
 */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable('redis-server', env);
}
