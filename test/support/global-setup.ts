import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findJava, findRedisServer, startDynamoDbLocal } from '../../packages/dynotally/src/local/index.ts';
import { startRedisServer } from '../../packages/dynotally/src/local/redis-server.ts';
import { CHROMIUM_PATH } from './chromium.ts';
import { buildCli, CLI_BUILDS_DIR, removeStaleCliBuilds, usesCli } from './cli-build.ts';
import { favourProcess } from './favour-process.ts';
import { DDB_LOCAL_JVM_OPTIONS, withJvmOptions } from './jvm-options.ts';
import { type ServicesNeeded, servicesNeeded } from './tiers.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** This run's built `dynotally` bin (test/support/cli-build.ts; `''` when no file of the run spawns it). */
    cliBin: string;
    /** The empty working directory to run that bin in (no `dynotally.config.*`). */
    cliCwd: string;
  }
}

/** Start deadline for the run's DynamoDB Local (override with `DYNOTALLY_TEST_START_TIMEOUT_MS`). */
const START_TIMEOUT_MS = Number(process.env.DYNOTALLY_TEST_START_TIMEOUT_MS ?? 300_000);

/**
 * Vitest global setup: one DynamoDB Local (in memory, free port) for the whole run, started only when the run
 * has integration, fault or browser files, and waited for here — patiently (a deadline of minutes, one more
 * spawn if the JVM dies) — so that when a required service cannot start, the whole run stops at once with one
 * message instead of every file failing on its own. The same check covers redis-server (started once as a
 * probe) and chromium (its executable) when files of the run need them. A run of pure files starts nothing.
 * Set `DYNOTALLY_TEST_DDB_ENDPOINT` to reuse a DynamoDB Local that is already running instead.
 * When files of the run spawn the `dynotally` executable, both packages are built first, afresh for every run
 * (test/support/cli-build.ts), and the build is removed at the end.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['test/support/global-setup.ts'] } });
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // this process's SDK clients (the readiness probes) print the SDK's Node.js support notice too: silenced as in
  // the test processes (vitest.config.ts)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const files = await filesOfRun(project);
  const cli = cliBuild(project, files);
  try {
    // The build runs while the JVM starts (on its first line of output), or else once it is up.
    const stop = await startServices(project, files, cli.start);
    cli.finish();
    return async () => {
      try {
        await stop();
      } finally {
        cli.remove();
      }
    };
  } catch (err) {
    cli.remove();
    throw err;
  }
}

/**
 * The run's CLI build, made when files of the run spawn the CLI (all files when they cannot be listed):
 * `start()` builds (once; an error is kept), `finish()` builds if that has not happened and throws a kept
 * error, `remove()` deletes the build.
 */
function cliBuild(
  project: TestProject,
  files: string[] | undefined,
): { start(): void; finish(): void; remove(): void } {
  removeStaleCliBuilds();
  project.provide('cliBin', '');
  project.provide('cliCwd', '');
  if (files !== undefined && !usesCli(files)) return { start() {}, finish() {}, remove() {} };
  const dir = join(CLI_BUILDS_DIR, `run-${process.pid}`);
  const build = (): void => {
    const started = Date.now();
    const built = buildCli(dir);
    console.log(`[global-setup] dynotally CLI built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    project.provide('cliBin', built.bin);
    project.provide('cliCwd', built.cwd);
  };
  let state: 'pending' | 'built' | { error: unknown } = 'pending';
  const start = (): void => {
    if (state !== 'pending') return;
    try {
      build();
      state = 'built';
    } catch (error) {
      state = { error };
    }
  };
  // vitest --watch: the sources may have changed since, so build again before each rerun
  project.onTestsRerun(build);
  return {
    start,
    finish() {
      start();
      if (typeof state === 'object') throw state.error;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function startServices(
  project: TestProject,
  files: string[] | undefined,
  whileJvmStarts: () => void,
): Promise<() => Promise<void>> {
  const needs: ServicesNeeded =
    files === undefined ? { dynamodb: true, redis: true, chromium: true } : servicesNeeded(files);
  const external = process.env.DYNOTALLY_TEST_DDB_ENDPOINT;
  if (external || !needs.dynamodb) {
    project.provide('ddbEndpoint', external ?? '');
    project.provide(
      'ddbStartError',
      external ? '' : 'this run has no integration files, so the global setup started no DynamoDB Local',
    );
    if (!external) return async () => {};
  }
  await checkRedis(needs);
  checkChromium(needs);
  if (external) return async () => {};
  if (findJava() === undefined) {
    throw stop(
      'DynamoDB Local needs `java` on PATH: install Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)',
    );
  }
  const started = Date.now();
  try {
    const local = await withJvmOptions(DDB_LOCAL_JVM_OPTIONS, () =>
      startDynamoDbLocal({
        timeoutMs: START_TIMEOUT_MS,
        log: (line) => {
          whileJvmStarts();
          if (line.startsWith('[dynotally]')) console.log(`[global-setup] ${line.slice(12)}`);
        },
      }),
    );
    console.log(
      `[global-setup] DynamoDB Local ready at ${local.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    project.provide('ddbEndpoint', local.endpoint);
    project.provide('ddbStartError', '');
    const unfavour = favourProcess(local.pid); // ahead of other work on the machine (root only)
    return () => {
      unfavour();
      return local.stop();
    };
  } catch (err) {
    throw stop(
      `DynamoDB Local did not start within ${Math.round(START_TIMEOUT_MS / 1000)} s (${String(err)}). On a very busy machine raise DYNOTALLY_TEST_START_TIMEOUT_MS; or run the pure tier alone with 'npm run test:pure'`,
    );
  }
}

/** One clear error that vitest reports once, before any file runs. */
function stop(message: string): Error {
  return Object.assign(new Error(`The integration tests cannot run: ${message}`), {
    name: 'ServiceStartError',
  });
}

async function checkRedis(needs: ServicesNeeded): Promise<void> {
  if (!needs.redis) return;
  if (findRedisServer() === undefined) {
    throw stop('redis-server is not on PATH: install it (Debian: apt-get install -y redis-server)');
  }
  try {
    const probe = await startRedisServer({
      startTimeoutMs: START_TIMEOUT_MS,
      log: (line) => console.log(`[global-setup] ${line.slice(12)} (probe)`),
    });
    await probe.stop();
  } catch (err) {
    throw stop(`redis-server did not start: ${String(err)}`);
  }
}

function checkChromium(needs: ServicesNeeded): void {
  if (needs.chromium && !existsSync(CHROMIUM_PATH)) {
    throw stop(
      `chromium not found at ${CHROMIUM_PATH}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
}

/** The test files of this run (`undefined` when they cannot be listed). */
async function filesOfRun(project: TestProject): Promise<string[] | undefined> {
  try {
    // the command line's file filters (vitest keeps them on the instance before the global setup runs)
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
    const specs = await project.vitest.globTestSpecifications(filters);
    const files = specs.map((s) => s.moduleId);
    if (process.env.DYNOTALLY_TEST_DEBUG_SETUP)
      console.log(
        `[global-setup] ${files.length} files: ${files.map((f) => relative(process.cwd(), f)).join(' ')}`,
      );
    return files;
  } catch {
    return undefined;
  }
}
