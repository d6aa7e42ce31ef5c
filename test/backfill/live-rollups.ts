// What the property of a backfill under a live stream builds and how (backfill-live.property.int.test.ts): the two
// rollups of test/support/hostile-items.ts, each backfill's shape, the stream side's deployment.
import { byGroup, byPair } from '../support/hostile-items.ts';

/** The rollups built. */
export const LIVE_ROLLUPS = [byGroup, byPair] as const;

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
