import { defineConfig } from 'vitest/config';

// One run, three tiers told apart by file suffix:
//   *.test.ts          pure, no I/O
//   *.int.test.ts      against real DynamoDB Local / redis-server (started by the global setup)
//   *.browser.test.ts  headless Debian chromium via playwright-core
//   *.cdk.test.ts      CDK synthesis (aws-cdk-lib/assertions), offline; bundling with local esbuild, never Docker
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
