/**
 * A table column: header, how to read a cell from a row, and alignment (numbers right).
 *
 * @example
 * ```ts
 * const col: Column<{ id: string }> = { header: 'ID', value: (r) => r.id };
 * ```
 */
export interface Column<R> {
  header: string;
  value: (row: R) => string | number | boolean | undefined | null;
  align?: 'left' | 'right';
}

/**
 * Formats rows as a plain-text table with a header and a rule, columns padded to fit; numbers are
 * right-aligned unless the column says otherwise.
 *
 * @example
 * ```ts
 * formatTable([{ id: 's0', n: 3 }], [{ header: 'ID', value: (r) => r.id }, { header: 'N', value: (r) => r.n }]);
 * // "ID  N\n--  -\ns0  3\n"
 * ```
 */
export function formatTable<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const right = columns.map(
    (c) =>
      c.align === 'right' ||
      (c.align === undefined && rows.length > 0 && rows.every((r) => isNumeric(c.value(r)))),
  );
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (right[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const out = [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ];
  return `${out.join('\n')}\n`;
}

function cellText(v: string | number | boolean | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  return String(v);
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || (typeof v === 'string' && /^-?[\d,]+(\.\d+)?$/.test(v));
}
