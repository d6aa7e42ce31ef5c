import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/slow-first.ts';

const TEST_FILES = ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'];
const SERVICE_TIERS = '**/*.{int,fault,browser,cdk}.test.ts';

const lib = (path: string): string =>
  fileURLToPath(new URL(`./packages/dynotally/src/${path}`, import.meta.url));

// One run, tiers told apart by file suffix (test/support/tiers.ts; npm run test:pure | test:int | test:fault …):
//   *.test.ts          pure, no I/O (also *.property.test.ts, *.edge.test.ts)
//   *.int.test.ts      against real DynamoDB Local / redis-server
//   *.fault.test.ts    int tests behind the fault proxies (test/support/fault-proxy.ts, redis-fault-proxy.ts):
//                      dropped replies, delays, resets and throttling on seeded schedules, compared with the oracle
//   *.browser.test.ts  headless Debian chromium via playwright-core
//   *.cdk.test.ts      CDK synthesis (aws-cdk-lib/assertions), offline; bundling with local esbuild, never Docker
// The global setup starts DynamoDB Local only when the run has int, fault or browser files, and waits for it
// (minutes, one respawn): a service that cannot start stops the whole run with one message.
// `dynotally` and its subpaths resolve to the library's sources (as tsconfig.json's `paths` do for tsc and tsx),
// so the CLI package is tested against the library as it is in the tree, without a build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^dynotally$/, replacement: lib('index.ts') },
      { find: /^dynotally\/(redis|cdk|local|time)$/, replacement: lib('$1/index.ts') },
      {
        find: /^dynotally-cli$/,
        replacement: fileURLToPath(new URL('./packages/dynotally-cli/src/cli/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    // Two projects, one run. Pure files share their worker processes (`isolate: false`): they do no I/O, touch
    // no process state, and a fresh process and module graph per file cost more CPU than most of them use
    // (69 small pure files: 57 s isolated, 22 s shared). Every file with services keeps its own process.
    projects: [
      {
        extends: true,
        test: {
          name: 'pure',
          include: TEST_FILES,
          exclude: [...configDefaults.exclude, SERVICE_TIERS],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'services',
          include: TEST_FILES.map((glob) =>
            glob.replace(/\*\.test\.ts$/, '*.{int,fault,browser,cdk}.test.ts'),
          ),
          globalSetup: ['test/support/global-setup.ts'],
          // no TTL sweeps under tests on a fixed clock (see the file)
          setupFiles: ['test/support/ttl-off.ts'],
        },
      },
    ],
    // Generous: property and integration tests are CPU-bound, and the suite must pass on a machine at load 15.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // the known slow files first, so that none of them starts last and runs alone at the end
    sequence: { sequencer: SlowFirstSequencer },
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    // The `dynotally` bin runs the CLI's sources, never a dist/ left by an earlier build. The AWS SDK's notice that
    // its support for this Node.js line ends is printed once per process, hundreds of times a run, and hid the output
    // that matters (the CLI silences it the same way; the library leaves it to the application).
    env: { DYNOTALLY_CLI_SOURCE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
