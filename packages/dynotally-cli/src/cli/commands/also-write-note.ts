/**
 * The note a writing command (`worker`, `dev --scenarios none`, `dead-letters replay`) prints when it leaves out the
 * `alsoWrite` definition of a rollup with no versions yet: nothing serves that it would keep written, and the
 * configured definition registers as version 1.
 *
 * @example
 * ```ts
 * ctx.io.stderr(`${noVersionsNote('orders')}\n`);
 * ```
 */
export function noVersionsNote(rollup: string): string {
  return `alsoWrite: rollup '${rollup}' has no versions yet, so nothing serves that its alsoWrite definition would keep written: left out (the configured definition registers as version 1)`;
}
