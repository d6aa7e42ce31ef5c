/**
 * One line saying why a config file failed to load, from the error its import threw. Most errors say it on their
 * first line; a TypeScript transform error (esbuild's, through tsx) says only "Transform failed with 1 error:"
 * there, and the problem with its position on the next line (`<path>:<line>:<col>: ERROR: <text>`): that line is
 * given instead, with the path as shown to the user. A top-level await in a file compiled to CommonJS (a `.ts`
 * file in a package without `"type": "module"`) gets the way out.
 *
 * @example
 * ```ts
 * loadFailureReason(new Error('Transform failed with 1 error:\n/app/dynotally.config.ts:2:34: ERROR: Expected "}"'), '/app/dynotally.config.ts', 'dynotally.config.ts');
 * // 'dynotally.config.ts:2:34: Expected "}"'
 * ```
 */
export function loadFailureReason(cause: unknown, path: string, shown: string): string {
  const text = String((cause as Error | undefined)?.message ?? cause);
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  if (!/^Transform failed with \d+ errors?:/.test(first)) return first;
  const line = lines.find((l) => l.includes(': ERROR: '));
  if (line === undefined) return first;
  const reason = line.replace(path, shown).replace(': ERROR: ', ': ');
  return /top-level await/i.test(reason) && /"cjs"/.test(reason)
    ? `${reason} (the file is compiled to CommonJS: rename it .mts, or add "type": "module" to its package.json)`
    : reason;
}
