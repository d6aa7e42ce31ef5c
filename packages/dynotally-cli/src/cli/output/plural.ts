/**
 * A count and its noun, singular for exactly one: `1 group`, `2 groups`, `1,204 passes` (the count in en-US digits,
 * as the CLI prints counts). `nouns` is the plural when it is not the noun plus `s` (`pass` → `passes`).
 *
 * @example
 * ```ts
 * plural(1, 'group'); // '1 group'
 * plural(3, 'pass', 'passes'); // '3 passes'
 * plural(1204, 'cell'); // '1,204 cells'
 * ```
 */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

/**
 * A verb that agrees with a count of `n`: the singular (`differs`) for exactly one, else the plural (`differ`).
 *
 * @example
 * ```ts
 * `${plural(n, 'cell')} ${agree(n, 'differs', 'differ')}`; // '1 cell differs', '2 cells differ'
 * ```
 */
export function agree(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
