import { defineConfig } from 'vitest/config';

// One run, tiers told apart by file suffix (test/support/tiers.ts; npm run test:pure | test:int | test:fault …):
//   *.test.ts          pure, no I/O (also *.property.test.ts, *.edge.test.ts)
//   *.int.test.ts      against real DynamoDB Local / redis-server
//   *.fault.test.ts    int tests behind the fault proxies (test/support/fault-proxy.ts, redis-fault-proxy.ts):
//                      dropped replies, delays, resets and throttling on seeded schedules, compared with the oracle
//   *.browser.test.ts  headless Debian chromium via playwright-core
//   *.cdk.test.ts      CDK synthesis (aws-cdk-lib/assertions), offline; bundling with local esbuild, never Docker
// The global setup starts DynamoDB Local only when the run has int, fault or browser files, and waits for it
// (minutes, one respawn): a service that cannot start stops the whole run with one message.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
