// The Lambda handler the footprint suite bundles: what a user deploys, imported from the package entry.
// The client takes everything from the environment, as in Lambda (AWS_REGION, credentials, and for
// DynamoDB Local AWS_ENDPOINT_URL_DYNAMODB).
import { createStreamHandler } from '../../packages/dynotally/src/index.ts';
import { benchStoreRollup } from '../suites/s4-rollup.ts';

export const handler = createStreamHandler({
  rollups: [benchStoreRollup],
  table: process.env.AGGREGATE_TABLE ?? 'dynotally-aggregates',
});
