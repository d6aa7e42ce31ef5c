/**
 * Formatting of benchmark figures for markdown tables.
 *
 * @example
 * ```ts
 * int(12345.6); // '12,346'
 * ```
 */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/**
 * A number with `digits` decimals (thousands separated).
 *
 * @example
 * ```ts
 * fixed(1.2345, 2); // '1.23'
 * ```
 */
export function fixed(n: number, digits: number): string {
  return n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A ratio: `12.3×`, `0.18×`.
 *
 * @example
 * ```ts
 * ratio(5.04); // '5.0×'
 * ```
 */
export function ratio(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return `${n >= 10 ? fixed(n, 0) : n >= 1 ? fixed(n, 1) : fixed(n, 2)}×`;
}

/**
 * A duration: `850 ms`, `3.4 s`.
 *
 * @example
 * ```ts
 * duration(3400); // '3.4 s'
 * ```
 */
export function duration(ms: number): string {
  return ms < 1000 ? `${int(ms)} ms` : ms < 100_000 ? `${fixed(ms / 1000, 1)} s` : `${int(ms / 1000)} s`;
}

/**
 * A size in KiB.
 *
 * @example
 * ```ts
 * kib(2048); // '2.0 KiB'
 * ```
 */
export function kib(bytes: number): string {
  return `${fixed(bytes / 1024, bytes < 100 * 1024 ? 1 : 0)} KiB`;
}
