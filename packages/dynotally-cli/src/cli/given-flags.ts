import type { Command } from 'commander';

/**
 * The long names of the options among `names` that the user gave (on the command line or through an
 * environment variable commander reads), whatever their value: `--bucket 15m` is given even though 15m is
 * the default. Options left at their default are not.
 *
 * @example
 * ```ts
 * givenFlags(cmd, ['--bucket', '--key-prefix']); // ['--bucket'] for `dynotally worker --bucket 5m`
 * ```
 */
export function givenFlags(cmd: Command, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const o of cmd.options) {
    if (o.long === undefined || !names.includes(o.long)) continue;
    const source = cmd.getOptionValueSource(o.attributeName());
    if (source === 'cli' || source === 'env') out.push(o.long);
  }
  return out;
}
