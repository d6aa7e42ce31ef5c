// A rollup with a callback, for the tests of backfill claims over large items: its scan claims keep the whole
// item (a callback may read any attribute), so an item near 400 KB makes a claim that must be spilled.
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';

/**
 * The definition of {@link callbackKinds}, to derive variants from (the same rollup grouped by attribute).
 *
 * @example
 * ```ts
 * defineRollup({ ...callbackKindsDefinition, groupBy: 'kind' }); // claims of the projection only
 * ```
 */
export const callbackKindsDefinition = {
  name: 'kinds',
  groupBy: (item: Record<string, unknown>) => ({ kind: String(item.kind) }),
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
} as const;

/**
 * Items counted by `kind`, all time, grouped by a callback.
 *
 * @example
 * ```ts
 * await runBackfill({ client, ...tables, rollup: callbackKinds, segments: 1, settleMs: 0 });
 * ```
 */
export const callbackKinds = defineRollup(callbackKindsDefinition);
