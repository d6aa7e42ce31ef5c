// Review s41c (CDK: the documented example). No finding: docs/deploy.md's "A complete stack" (its four files:
// rollups, stream handler, query handler, stack) synthesises as written, with the mapping, the on-failure
// destination, the environment and the grants the page describes. Nothing synthesised it before: the construct's own
// tests build their stacks in code and bundle a fixture handler (bundle.cdk.test.ts), so the page could drift (a
// renamed prop, a runtime the construct refuses, an onFailure it refuses) unseen.
// How: the page's code blocks are written to a directory inside the repository (so `dynotally/cdk` resolves as the
// tests resolve it), with the entries' relative paths made absolute (CDK resolves them against the working
// directory), and the stack class is imported and synthesised with bundling skipped (`aws:cdk:bundling-stacks`: []):
// bundling is bundle.cdk.test.ts's subject, and this one is about the page's props.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test-artifacts', `s41c-deploy-doc-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ts code blocks of the section, keyed by the path in their first line's comment (`// src/rollups.ts`). */
function exampleFiles(page: string, heading: string): Map<string, string> {
  const start = page.indexOf(heading);
  const end = page.indexOf('\n## ', start + heading.length);
  const section = page.slice(start, end);
  const files = new Map<string, string>();
  for (const m of section.matchAll(/```ts\n(\/\/ (\S+)[^\n]*\n[\s\S]*?)```/g))
    files.set(m[2] as string, m[1] as string);
  return files;
}

describe("docs/deploy.md's complete stack", () => {
  it('synthesises as written, with the mapping, destination, environment and grants the page describes', async () => {
    const page = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
    const files = exampleFiles(page, '## A complete stack');
    expect([...files.keys()].sort()).toEqual([
      'lib/jobs-stack.ts',
      'src/aggregates-handler.ts',
      'src/api-handler.ts',
      'src/rollups.ts',
    ]);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      // entries are resolved against the working directory: point them at the files written here
      writeFileSync(join(dir, path), text.replaceAll("entry: 'src/", `entry: '${dir}/src/`));
    }
    const mod = (await import(pathToFileURL(join(dir, 'lib', 'jobs-stack.ts')).href)) as {
      JobsStack: new (scope: App, id: string) => Stack;
    };
    const app = new App({ outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new mod.JobsStack(app, 'Jobs'));

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          DYNOTALLY_MODE: 'exactly-once',
          DYNOTALLY_MAX_RECORD_AGE_SECONDS: '86400',
          DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true',
        }),
      },
    });
    // the query function reads the aggregate table and its leaderboard index (grantRead), nothing more
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const reads = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown }>).filter(
        (s) =>
          JSON.stringify(s.Action) ===
          JSON.stringify(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']),
      ),
    );
    expect(reads).toHaveLength(1);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });
});
