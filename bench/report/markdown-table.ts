/**
 * A GitHub markdown table; `align` marks right-aligned columns (`'r'`, for numbers).
 *
 * @example
 * ```ts
 * markdownTable(['contender', 'events/s'], [['naive', '52']], ['l', 'r']);
 * // | contender | events/s |
 * // |---|---:|
 * // | naive | 52 |
 * ```
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('l' | 'r')[] = [],
): string {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `|${headers.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
