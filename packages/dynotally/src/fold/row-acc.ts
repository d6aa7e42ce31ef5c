import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import type { Num } from '../numbers/index.ts';

/** A min, max or last value waiting to be written with a conditional update. */
export interface Extremum {
  readonly op: 'min' | 'max' | 'last';
  value: Num | string | boolean;
  /** Event time (ms) of the value, for `last`. */
  time: number;
}

/**
 * The coalesced change to one aggregate row within a batch: summed deltas per attribute, pending
 * extrema, and the sequence range of the records that contributed.
 *
 * @example
 * ```ts
 * for (const row of coalescer.rows()) console.log(row.pk, row.sk, row.attrs, row.deltas);
 * ```
 */
export interface RowAcc {
  readonly rollup: CompiledRollup;
  readonly kind: CompiledRowKind;
  readonly pk: string;
  readonly sk: string;
  /** End of the row's bucket (ms): drives TTL. */
  readonly bucketEnd: number;
  /**
   * Attribute names and their summed deltas, as parallel arrays (a row has few attributes per batch).
   * {@link addDelta} replaces both arrays when it adds an attribute: read them from the row each time. Never
   * write into `attrs`: a row's first attribute list may be shared with other rows (the fold's time entry).
   */
  attrs: string[];
  deltas: Num[];
  extrema: Map<string, Extremum> | undefined;
  /** First and last contributing record (40-digit sequence numbers). */
  firstSeq: string;
  lastSeq: string;
  /** Approximate creation time (ms) of the last contributing record. */
  lastApproxMs: number;
}
