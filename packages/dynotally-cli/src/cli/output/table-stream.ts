import type { Column } from './table.ts';

/**
 * A table printed a batch of rows at a time ({@link tableStream}).
 *
 * @example
 * ```ts
 * const t: TableStream<{ id: string }> = tableStream([{ header: 'ID', value: (r) => r.id }]);
 * ```
 */
export interface TableStream<R> {
  /** The text for these rows: the header and rule before the first batch; nothing for no rows. */
  rows(rows: readonly R[]): string;
  /** Rows printed so far. */
  readonly count: number;
}

/**
 * A table printed as its rows come, so a command never holds them all: each column is as wide as the widest cell
 * seen so far (the first batch sets the widths; a wider cell later widens its column from there on), numbers
 * right-aligned when the column says `align: 'right'` (a column's cells are not all known in advance).
 *
 * @example
 * ```ts
 * const t = tableStream(columns);
 * for await (const page of pages) io.stdout(t.rows(page));
 * ```
 */
export function tableStream<R>(columns: readonly Column<R>[]): TableStream<R> {
  const widths = columns.map((c) => c.header.length);
  let count = 0;
  const cell = (v: ReturnType<Column<R>['value']>): string =>
    v === undefined || v === null
      ? ''
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? v.toLocaleString('en-US')
          : String(v)
        : String(v);
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) =>
        columns[i]?.align === 'right' ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return {
    get count() {
      return count;
    },
    rows(rows) {
      if (rows.length === 0) return '';
      const cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
      for (const r of cells)
        r.forEach((v, i) => {
          widths[i] = Math.max(widths[i] as number, v.length);
        });
      const out: string[] = [];
      if (count === 0) out.push(line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))));
      count += rows.length;
      out.push(...cells.map(line));
      return `${out.join('\n')}\n`;
    },
  };
}
