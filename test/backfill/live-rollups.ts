// What the property of a backfill under a live stream builds and how (backfill-live.property.int.test.ts): the two
// rollups of test/support/hostile-items.ts, and one whose filter is a function, so that its claims keep the whole
// item (`reads` undefined) and an item nested 31 maps deep makes a claim that holds only its image's digest, the
// image in parts beside it (`spillClaim`); their oracle specs; each backfill's shape; the stream side's deployment.
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { byGroup, byPair, SPECS } from '../support/hostile-items.ts';
import type { OracleSpec } from '../support/pipeline.ts';

/** Orders per group, all time, chosen by a function: its claims keep whole items. */
export const byCallback = defineRollup({
  name: 'hz',
  groupBy: 'g',
  // (an item the filter takes must have its group: one without is refused, VALUE_INVALID)
  match: (item) => item.type === 'order' && item.g !== undefined,
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), amt: sum('amount') },
});

/** The rollups built. */
export const LIVE_ROLLUPS = [byGroup, byPair, byCallback] as const;

/** The rollups in the oracle's terms. */
export const LIVE_SPECS: readonly OracleSpec[] = [
  ...SPECS,
  {
    rollup: {
      name: 'hz',
      match: { type: 'order' },
      groupBy: ['g'],
      zone: 'UTC',
      granularities: ['all'],
      measures: [
        { name: 'n', kind: 'count' },
        { name: 'amt', kind: 'sum', attribute: 'amount' },
      ],
      ttlDeletes: 'subtract',
    },
    timeMs: (img) => (img.t === undefined ? undefined : Number(img.t.N)),
  },
];
/** How one rollup is backfilled (the same in every process of it). */
export interface BackfillShape {
  segments: number;
  chunkItems: number;
  claimConcurrency: number;
  concurrency: number;
}

/** How the stream side is deployed. */
export interface StreamShape {
  claimMarginMs: number | undefined;
  api: 'partiql' | 'update-item';
}
