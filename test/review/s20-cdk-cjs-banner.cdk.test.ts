// Fixed (session 20): the banner is added only to an ES module bundle; a CommonJS override builds a bundle that
// exports `handler` and answers an empty batch (this test loads it as Lambda does).
// Session 20 review (the Lambda path, CDK): `bundling` is "merged over the defaults" (StreamFunctionOptions,
// docs/deploy.md: runtime, architecture, memory, timeout, bundling … "all configurable"), but the defaults it is
// spread over include an ES-module-only banner (`import { createRequire } from 'node:module'; … import.meta.url`,
// ESM_REQUIRE_BANNER). A user who overrides `bundling: { format: OutputFormat.CJS }` (a CommonJS-only dependency,
// a team standard) keeps that banner: esbuild pastes it, unparsed, on top of a CommonJS `index.js`.
//
// Observed: `cdk synth` succeeds and the asset is built, but the file is no longer CommonJS: Node sees the
// `import` statement, loads it as an ES module, and the bundle's `module.exports = …` never reaches the loader:
// `require('index.js').handler` is undefined ("index.handler is undefined; exports: []"). On Lambda every
// invocation then fails (Runtime.HandlerNotFound / init error); the event source mapping retries the shard's
// first batch for up to 24 h (10,000 retries, bisected) and then drops its records to the on-failure
// destination: a deploy the construct accepted without a word that counts nothing.
// Expected: the construct refuses a non-ESM `bundling.format` at synth (CONFIG_INVALID naming the option), or
// adds the banner only to an ESM bundle (a CommonJS bundle has `require` already), so the bundle exports
// `handler` and answers an empty batch with `{ batchItemFailures: [] }`.
// Suggested fix: in `defineStreamFunction`, compute the effective format first and set `banner:
// ESM_REQUIRE_BANNER` only when it is `OutputFormat.ESM` (or reject `OutputFormat.CJS` with a coded error).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, describe, expect, it } from 'vitest';
import { DynotallyAggregates } from '../../packages/dynotally/src/cdk/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const entry = join(root, 'packages', 'dynotally', 'src', 'cdk', 'fixtures', 'aggregates-handler.ts');
// inside the repository, so the bundle's external @aws-sdk/* resolve from node_modules when it is loaded
const outdir = join(root, 'test-artifacts', `s20-cjs-bundle-${process.pid}`);

const validation = process.env.CDK_VALIDATION;
process.env.CDK_VALIDATION = 'false';
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  if (validation === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = validation;
});

describe('s20: a CommonJS bundling override', () => {
  it('is refused at synth or produces a bundle Node can load', () => {
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir });
    const stack = new Stack(app, 'CjsBundle');
    const source = new Table(stack, 'Source', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    let refused = false;
    try {
      new DynotallyAggregates(stack, 'Aggregates', {
        sourceTable: source,
        entry,
        bundling: { format: OutputFormat.CJS },
      });
      app.synth();
    } catch (e) {
      refused = (e as { code?: string }).code === 'CONFIG_INVALID';
      if (!refused) throw e;
    }
    if (refused) return; // a refusal at synth is a fix
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const file = join(outdir, assets[0] as string, 'index.js');
    expect(existsSync(file)).toBe(true);
    // Lambda's asset has no package.json, so Node reads a `.js` handler as CommonJS; inside this repository the
    // root package.json says "module", so the asset says what Lambda assumes
    writeFileSync(join(outdir, assets[0] as string, 'package.json'), '{ "type": "commonjs" }\n');
    // what Lambda's Node.js runtime does with a handler file that is not `.mjs`: require it, take `handler`, call it
    const script = `const m = require(${JSON.stringify(file)});
if (typeof m.handler !== 'function') {
  console.error('index.handler is ' + typeof m.handler + '; exports: ' + JSON.stringify(Object.keys(m)));
  process.exit(1);
}
m.handler({ Records: [], shardId: 'shardId-1' }).then((r) => console.log(JSON.stringify(r)));`;
    let error = '';
    let out = '';
    try {
      out = execFileSync(process.execPath, ['-e', script], {
        cwd: root,
        env: { ...process.env, AGGREGATE_TABLE: 'aggregates' },
        stdio: 'pipe',
      }).toString();
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? e);
      error = stderr
        .split('\n')
        .filter((l) => /handler|Error/.test(l))
        .join(' | ');
    }
    expect(error, 'the bundle does not load as Lambda loads it').toBe('');
    expect(out.trim()).toBe('{"batchItemFailures":[]}');
  });
});
