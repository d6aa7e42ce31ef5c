export * from './generators/index.ts';
export {
  energyPerMeter,
  favouritesPerRestaurant,
  jobsPerCustomer,
  referenceRollups,
  scansPerProject,
  storeMetrics,
} from './rollups.ts';
export { storeMetricsWithRevenue } from './store-revenue.ts';
