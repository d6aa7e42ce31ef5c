// An example dynotally configuration: the five reference rollups, the tables they use, and (optionally)
// where DynamoDB is. `dynotally` loads ./dynotally.config.ts by default (or --config <file>); flags and
// environment variables (DYNOTALLY_ENDPOINT, AWS_REGION, DYNOTALLY_TABLE, …) override it. See docs/cli.md.
import { defineConfig } from './packages/dynotally-cli/src/cli/index.ts';
import {
  energyPerMeter,
  favouritesPerRestaurant,
  jobsPerCustomer,
  scansPerProject,
  storeMetrics,
} from './packages/dynotally-cli/src/scenarios/index.ts';

export { energyPerMeter, favouritesPerRestaurant, jobsPerCustomer, scansPerProject, storeMetrics };

export default defineConfig({
  rollups: [jobsPerCustomer, scansPerProject, favouritesPerRestaurant, energyPerMeter, storeMetrics],
  tables: {
    source: 'dynotally-source',
    aggregate: 'dynotally-aggregates',
    deadLetter: 'dynotally-dead-letters',
    leases: 'dynotally-leases',
  },
  mode: 'exactly-once',
  // endpoint: 'http://127.0.0.1:8000', // DynamoDB Local; omit for AWS (then set AWS_REGION)
});
