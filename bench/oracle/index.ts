export { type BucketLabels, bucketLabeler } from './bucket-labels.ts';
export {
  addTo,
  type Canonical,
  type CanonicalDifference,
  canonicalKey,
  diffCanonical,
  GRANULARITIES,
  type Granularity,
  granularityOfLabel,
  MEASURES,
  type Measure,
  measureOf,
} from './canonical.ts';
export { computeOracle, type OracleOptions } from './oracle.ts';
