import { findExecutable } from './find-executable.ts';

/**
 * The absolute path of the first executable `java` on `PATH`, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * if (findJava() === undefined) console.error('install Java 17+');
 * ```
 */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable('java', env);
}
