import type { CompiledRollup, MeasureKind } from '../definition/index.ts';
import { explodeRow } from '../layout/explode-row.ts';

/**
 * Whether a group read (known-groups.ts) learns the cells of a measure: only a `sum`'s can hold a value the write
 * script must know before it buffers (a count only adds integers, far below 38 digits; min / max / last are not
 * buffered), so the read records the wide values of sums alone, and a hint's version guards a learned cell alone.
 *
 * @example
 * ```ts
 * learnsMeasure('sum'); // true
 * learnsMeasure('count'); // false
 * ```
 */
export function learnsMeasure(kind: MeasureKind): boolean {
  return kind === 'sum';
}

/**
 * The attributes of a stored row (`sk`, with attributes `attrs`) that no group read ever learns: those a measure
 * other than a sum stores ({@link learnsMeasure}; located as `explodeRow` locates them). The flusher versions no
 * removal of their narrow values in a group not known (stored-hints.ts): such a version would keep no read's value
 * out, yet every flush of a count would renew one `hv:<pk>` field per cell. An attribute the rollup does not place
 * (another release's definition) is not in the set: it is versioned as a learned one is.
 *
 * @example
 * ```ts
 * unreadAttrs(money.compiled, 'ALL', ['n', 'total']); // Set {'n'}
 * ```
 */
export function unreadAttrs(
  c: CompiledRollup | undefined,
  sk: string,
  attrs: readonly string[],
): ReadonlySet<string> {
  const out = new Set<string>();
  if (c === undefined) return out;
  const kinds = new Map(c.measures.map((m) => [m.name, m.kind]));
  const item = Object.fromEntries(attrs.map((a) => [a, true]));
  for (const { ref } of explodeRow(c, sk, item)) {
    const kind = kinds.get(ref.measure);
    if (kind !== undefined && !learnsMeasure(kind)) out.add(ref.attr);
  }
  return out;
}
