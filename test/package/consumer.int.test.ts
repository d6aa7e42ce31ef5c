// The packages as users get them: `npm pack` both workspaces, install the tarballs into a throw-away project,
// and use them from plain Node 20, from strict TypeScript (NodeNext), from a CommonJS project (module commonjs
// and nodenext, compiled and run), from esbuild Lambda bundles (ES module and CommonJS) run on a batch against
// DynamoDB Local, and through the `dynotally` bin. publint and @arethetypeswrong check the
// tarballs offline.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddbReady, uniqueTableName } from '../support/ddb.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = (name: string): string => join(ROOT, 'node_modules', '.bin', name);
const MINUTES = 60_000;

let dir = '';
let libTarball = '';
let cliTarball = '';

async function sh(cmd: string, args: string[], cwd = dir, env: NodeJS.ProcessEnv = {}) {
  return run(cmd, args, {
    cwd,
    env: { ...process.env, DYNOTALLY_CLI_SOURCE: '', ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * MINUTES,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dynotally-consumer-'));
  const packs = join(dir, 'packs');
  await mkdir(packs);
  // prepack builds each package (tsc → dist/) before packing.
  await sh('npm', ['pack', '-w', 'dynotally', '-w', 'dynotally-cli', '--pack-destination', packs], ROOT);
  const tarballs = await readdir(packs);
  libTarball = join(packs, tarballs.find((f) => /^dynotally-\d/.test(f))!);
  cliTarball = join(packs, tarballs.find((f) => f.startsWith('dynotally-cli-'))!);
  const rootPkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { dynotally: `file:${libTarball}`, 'dynotally-cli': `file:${cliTarball}` },
      devDependencies: { '@types/node': rootPkg.devDependencies['@types/node'] },
    }),
  );
  // From the npm cache that `npm ci` filled; the registry only for what it lacks.
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  // The optional peers (aws-cdk-lib alone is ~100 MB) come from the workspace instead of a second install.
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    await symlink(join(ROOT, 'node_modules', peer), join(dir, 'node_modules', peer), 'dir');
  }
}, 30 * MINUTES);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed packages in a consumer project', () => {
  it('ship built JavaScript and declarations only (no sources, tests, test helpers, bench or CI files)', async () => {
    for (const tarball of [libTarball, cliTarball]) {
      const { stdout } = await sh('tar', ['tzf', tarball]);
      const files = stdout.trim().split('\n');
      expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((f) => /(^|\/)(test|testing|bench|\.ci)\/|\.test\./.test(f))).toEqual([]);
      expect(files).toContain('package/README.md');
      // both carry the repository's CHANGELOG (review s38u: the CLI's tarball had none)
      expect(files).toContain('package/CHANGELOG.md');
    }
  });

  it('leave no build in the checkout (postpack): the dynotally bin would run a stale dist/ instead of the sources', () => {
    for (const pkg of ['dynotally', 'dynotally-cli'])
      expect(existsSync(join(ROOT, 'packages', pkg, 'dist')), `packages/${pkg}/dist`).toBe(false);
  });

  it("carry their npm README (docs/npm/<name>.md), not the repository's", async () => {
    for (const [name, tarball] of [
      ['dynotally', libTarball],
      ['dynotally-cli', cliTarball],
    ] as const) {
      const { stdout } = await sh('tar', ['xzOf', tarball, 'package/README.md']);
      expect(stdout, name).toBe(await readFile(join(ROOT, 'docs', 'npm', `${name}.md`), 'utf8'));
    }
  });

  it('import every entry point from plain node, with a small root API', async () => {
    const script = `
      const root = await import('dynotally');
      for (const entry of ['dynotally/redis', 'dynotally/cdk', 'dynotally/time', 'dynotally/local', 'dynotally-cli']) {
        const m = await import(entry);
        if (Object.keys(m).length === 0) throw new Error(entry + ' exports nothing');
      }
      console.log(JSON.stringify(Object.keys(root)));`;
    const { stdout } = await sh('node', ['--input-type=module', '-e', script]);
    const names = JSON.parse(stdout) as string[];
    expect(names).toContain('defineRollup');
    expect(names).toContain('createStreamHandler');
    expect(names).toContain('createQueryClient');
    expect(names).not.toContain('Coalescer');
    expect(names).not.toContain('CUSTOMERS');
    expect(names.length).toBeLessThanOrEqual(50);
  });

  it('type-check a strict NodeNext consumer (exactOptionalPropertyTypes, no skipLibCheck) with 0 errors', async () => {
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    await writeFile(
      join(dir, 'consumer.ts'),
      `import { count, createQueryClient, createStreamHandler, defineRollup, isDynotallyError, sum } from 'dynotally';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 'createdAt', format: 'epoch-millis' },
  granularities: ['day', 'month'],
  measures: { orders: count(), revenue: sum('amount') },
});
export const handler = createStreamHandler({ rollups: [orders], table: 'aggregates' });
export async function read(client: DynamoDBClient) {
  const q = createQueryClient({ client, table: 'aggregates', rollups: [orders] });
  const total = await q.total(orders, { storeId: 's1' }, { lastDays: 30 });
  return total;
}
export function check(e: unknown, event: DynamoDBStreamEvent): boolean {
  return isDynotallyError(e) && event.Records.length > 0;
}
`,
    );
    await sh(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir]);
  });

  it('type-check and run a CommonJS consumer (no "type" in package.json) with module commonjs and nodenext', async () => {
    // What `npm init -y` makes, with the two tsconfigs such a project plausibly has. "module": "commonjs" is
    // TypeScript 5.x's node10 resolution, which reads no `exports`: the subpaths resolve only through the
    // package's typesVersions (TS2307 without). Compiled to require() calls, the output runs on Node >= 20.19
    // (require() of an ES module). "module": "node16" is refused by TypeScript (TS1479; docs/typescript.md).
    const cjs = join(dir, 'cjs');
    await mkdir(cjs);
    await writeFile(join(cjs, 'package.json'), JSON.stringify({ name: 'consumer-cjs', private: true }));
    await writeFile(
      join(cjs, 'entries.ts'),
      `import { count, createStreamHandler, defineRollup } from 'dynotally';
import type * as cdk from 'dynotally/cdk';
import { localClientConfig } from 'dynotally/local';
import * as redis from 'dynotally/redis';
import * as time from 'dynotally/time';
import { defineConfig } from 'dynotally-cli';

const jobs = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['hour'], measures: { jobs: count() } });
export const handler = createStreamHandler({ rollups: [jobs], table: 'aggregates' });
export const config = defineConfig({ rollups: [jobs] });
export type Construct = cdk.DynotallyAggregates;
console.log(JSON.stringify([typeof handler, localClientConfig('http://127.0.0.1:8000').region, Object.keys(redis).length > 0, Object.keys(time).length > 0]));
`,
    );
    for (const module of ['commonjs', 'nodenext']) {
      await writeFile(
        join(cjs, `tsconfig.${module}.json`),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module,
            strict: true,
            esModuleInterop: true,
            skipLibCheck: true, // the strict case above checks the declarations; this one is about resolution
            types: ['node'],
            outDir: `out-${module}`,
          },
          files: ['entries.ts'],
        }),
      );
      await sh(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${module}.json`],
        cjs,
      );
      expect(await readFile(join(cjs, `out-${module}`, 'entries.js'), 'utf8')).toContain(
        `require("dynotally/local")`,
      );
      const { stdout } = await sh('node', [join(`out-${module}`, 'entries.js')], cjs, {
        AWS_REGION: 'local',
      });
      expect(JSON.parse(stdout)).toEqual(['function', 'local', true, true]);
    }
  });

  it('bundle a Lambda handler with esbuild and run it on a batch against DynamoDB Local', async () => {
    const endpoint = await ddbReady();
    const table = uniqueTableName('consumer-agg');
    await writeFile(
      join(dir, 'handler.ts'),
      `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { count, createAggregateTable, createQueryClient, createStreamHandler, defineRollup } from 'dynotally';
import { localClientConfig } from 'dynotally/local';

const client = new DynamoDBClient(localClientConfig(process.env.ENDPOINT!));
const jobs = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['hour', 'day'], measures: { jobs: count() } });
export const handler = createStreamHandler({ rollups: [jobs], client, table: process.env.TABLE!, mode: 'at-least-once' });
export async function main(): Promise<number> {
  await createAggregateTable(client, process.env.TABLE!);
  const at = Date.UTC(2026, 10, 22, 13, 5) / 1000;
  const record = (i: number) => ({
    eventID: String(i), eventName: 'INSERT', eventSource: 'aws:dynamodb',
    dynamodb: { ApproximateCreationDateTime: at, SequenceNumber: String(100 + i), Keys: { pk: { S: 'job#' + i } },
      NewImage: { pk: { S: 'job#' + i }, customerId: { S: 'c1' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
  await handler({ Records: [record(1), record(2), record(3)] } as never);
  const q = createQueryClient({ client, table: process.env.TABLE!, rollups: [jobs] });
  const total = await q.total(jobs, { customerId: 'c1' }, { from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' });
  return Number(total.values.jobs);
}
`,
    );
    await sh(BIN('esbuild'), [
      'handler.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--minify',
      '--outfile=bundle.mjs',
      '--banner:js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    ]);
    // The bundle carries everything: run it from a directory with no node_modules.
    const lambda = join(dir, 'lambda');
    await sh('mkdir', ['-p', lambda]);
    await sh('cp', [join(dir, 'bundle.mjs'), join(lambda, 'index.mjs')]);
    const { stdout } = await sh(
      'node',
      ['--input-type=module', '-e', `const m = await import('./index.mjs'); console.log(await m.main());`],
      lambda,
      { ENDPOINT: endpoint, TABLE: table },
    );
    expect(stdout.trim()).toBe('3');
    // CommonJS output, docs/typescript.md's other command: no banner needed (a Lambda index.js of CommonJS;
    // .cjs here, as the consumer project above is "type": "module").
    await sh(BIN('esbuild'), [
      'handler.ts',
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--target=node20',
      '--outfile=bundle.cjs',
    ]);
    await sh('cp', [join(dir, 'bundle.cjs'), join(lambda, 'index.cjs')]);
    const cjs = await sh(
      'node',
      ['-e', `require('./index.cjs').main().then((n) => console.log(n))`],
      lambda,
      { ENDPOINT: endpoint, TABLE: uniqueTableName('consumer-agg-cjs') },
    );
    expect(cjs.stdout.trim()).toBe('3');
  });

  it('run the dynotally bin (built JavaScript)', async () => {
    const { stdout } = await sh(join(dir, 'node_modules', '.bin', 'dynotally'), ['--help']);
    expect(stdout).toContain('Usage: dynotally');
    const plan = await sh(join(dir, 'node_modules', '.bin', 'dynotally'), [
      'plan',
      '--dry-run',
      '--scenario',
      's0',
    ]);
    expect(plan.stdout).toMatch(/row writes in \d+ BatchExecuteStatement requests? \(/);
  });

  it('pass publint and @arethetypeswrong/cli (every resolution, node10 included; ES module only)', async () => {
    for (const tarball of [libTarball, cliTarball]) {
      const lint = await sh(BIN('publint'), ['run', tarball], ROOT);
      expect(lint.stdout).toContain('All good');
      // Not the esm-only profile, which skips node10: "module": "commonjs" in TypeScript 5.x resolves that way
      // (typesVersions). Only require() from CommonJS resolving to ES modules is expected (Node >= 20.19 loads them).
      await sh(BIN('attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm'], ROOT);
    }
  });
});
