import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { SnsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { redeliveryFromEnv, reportFailuresFromEnv } from '../handler/deploy-env.ts';
import { inlineCode as code, codeOf, stackWithSource, testApp } from './fixtures/synth-support.ts';
import { DEPLOY_ENV, DynotallyAggregates, type DynotallyAggregatesProps } from './index.ts';

function synth(
  props: Partial<DynotallyAggregatesProps> = {},
  extend: (stack: Stack, aggregates: DynotallyAggregates) => void = () => {},
) {
  const { stack, source } = stackWithSource();
  const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable: source, code, ...props });
  extend(stack, aggregates);
  return { stack, source, aggregates, template: Template.fromStack(stack) };
}

/** Every IAM statement of the template, actions as arrays. */
function statements(template: Template): Array<{ Action: string[]; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).map(
      (s) => ({ Action: typeof s.Action === 'string' ? [s.Action] : s.Action, Resource: s.Resource }),
    ),
  );
}

function logicalId(template: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('DynotallyAggregates tables', () => {
  it('creates the aggregate table with dynotally schema: pk/sk strings, TTL on ttl, the sparse leaderboard GSI', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::DynamoDB::Table', 3); // source, aggregates, dead letters
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'lbk', AttributeType: 'S' },
        { AttributeName: 'lbv', AttributeType: 'N' },
      ]),
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'leaderboard',
          KeySchema: [
            { AttributeName: 'lbk', KeyType: 'HASH' },
            { AttributeName: 'lbv', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('creates the dead-letter table: pk/sk strings, TTL on ttl, no index', () => {
    const { template } = synth();
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const deadLetters = tables.filter(
      (t) =>
        t.Properties.GlobalSecondaryIndexes === undefined &&
        t.Properties.TimeToLiveSpecification?.AttributeName === 'ttl',
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
  });

  it('uses existing tables instead of creating them', () => {
    const { stack, source } = stackWithSource();
    const aggregateTable = Table.fromTableName(stack, 'Existing', 'my-aggregates');
    const deadLetterTable = Table.fromTableName(stack, 'ExistingDl', 'my-dead-letters');
    const a = new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      code,
      aggregateTable,
      deadLetterTable,
    });
    expect(a.aggregateTable).toBe(aggregateTable);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { AGGREGATE_TABLE: 'my-aggregates', DEAD_LETTER_TABLE: 'my-dead-letters' },
      },
    });
  });
});

describe('DynotallyAggregates function and event source mapping', () => {
  it('sets up the mapping exactly-once needs, with the documented defaults', () => {
    const { template } = synth();
    const sourceId = logicalId(template, 'AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [sourceId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      // no limit: retried until the records pass MaximumRecordAgeInSeconds
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: 86400,
    });
  });

  it('tells the handler its mapping reports batch item failures, so it may return a failed batch', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true' }) },
    });
    expect(DEPLOY_ENV.reportBatchItemFailures).toBe('DYNOTALLY_REPORT_BATCH_ITEM_FAILURES');
    expect(reportFailuresFromEnv({ [DEPLOY_ENV.reportBatchItemFailures]: 'true' })).toBe(true);
  });

  it('passes tuning through and sends given-up batches to an SQS on-failure destination', () => {
    const { stack, source } = stackWithSource();
    const queue = new Queue(stack, 'Failures');
    new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      code,
      batchSize: 250,
      maxBatchingWindow: Duration.seconds(5),
      tumblingWindow: Duration.seconds(30),
      retryAttempts: 7,
      maxRecordAge: Duration.hours(2),
      bisectBatchOnError: false,
      onFailure: queue,
    });
    const template = Template.fromStack(stack);
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 250,
      MaximumBatchingWindowInSeconds: 5,
      TumblingWindowInSeconds: 30,
      MaximumRetryAttempts: 7,
      MaximumRecordAgeInSeconds: 7200,
      BisectBatchOnFunctionError: false,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('takes any event source destination as onFailure: an SNS topic, with the function allowed to publish', () => {
    const { stack, source } = stackWithSource();
    const topic = new Topic(stack, 'Failures');
    new DynotallyAggregates(stack, 'Aggregates', {
      sourceTable: source,
      code,
      retryAttempts: 7,
      onFailure: new SnsDlq(topic),
    });
    const template = Template.fromStack(stack);
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumRetryAttempts: 7,
      DestinationConfig: { OnFailure: { Destination: { Ref: topicId } } },
    });
    expect(statements(template).some((st) => st.Action.includes('sns:Publish'))).toBe(true);
  });

  it('gives the function the table names and mode, a Node.js 24 arm64 runtime', () => {
    const { template } = synth();
    const aggId = logicalId(template, 'AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 60,
      Environment: {
        Variables: {
          AGGREGATE_TABLE: { Ref: aggId },
          DEAD_LETTER_TABLE: { Ref: Match.stringLikeRegexp('DeadLetterTable') },
          DYNOTALLY_MODE: 'exactly-once',
        },
      },
    });
  });

  it('grants least privilege: item writes on the aggregates, puts on the dead letters, stream read on the source', () => {
    const { template } = synth();
    const aggId = logicalId(template, 'AWS::DynamoDB::Table', { GlobalSecondaryIndexes: Match.anyValue() });
    const sourceId = logicalId(template, 'AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const all = statements(template);
    const on = (id: string) => all.filter((s) => JSON.stringify(s.Resource).includes(`"${id}"`));
    const aggActions = on(aggId).flatMap((s) => s.Action);
    expect(aggActions.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const dlId = Object.keys(template.findResources('AWS::DynamoDB::Table')).find(
      (id) => id !== aggId && id !== sourceId,
    ) as string;
    expect(
      on(dlId)
        .flatMap((s) => s.Action)
        .sort(),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    const sourceActions = on(sourceId).flatMap((s) => s.Action);
    expect(sourceActions).toEqual(
      expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']),
    );
    expect(sourceActions.filter((a) => !/Stream|GetRecords|GetShardIterator/.test(a))).toEqual([]);
    expect(all.flatMap((s) => s.Action).filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
  });

  it("tells the handler the mapping's maximum record age, and lets it describe the source's stream", () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DYNOTALLY_MAX_RECORD_AGE_SECONDS: '86400' }) },
    });
    const sourceId = logicalId(template, 'AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    // the lineage lookup's DescribeStream, on the very stream the mapping reads
    const describe = statements(template).filter((s) => s.Action.includes('dynamodb:DescribeStream'));
    expect(describe.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [sourceId, 'StreamArn'] }]);

    const shorter = synth({ maxRecordAge: Duration.hours(2), acceptSilentBatchLoss: true }).template;
    shorter.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DYNOTALLY_MAX_RECORD_AGE_SECONDS: '7200' }) },
    });
    // the handler reads what the construct writes
    expect(redeliveryFromEnv({ [DEPLOY_ENV.maxRecordAge]: '7200' })).toEqual({ maxRecordAgeSeconds: 7200 });
  });

  it('grantRead lets a query client GetItem, BatchGetItem and Query the table and its index, nothing else', () => {
    const { template } = synth({}, (stack, aggregates) => {
      const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      aggregates.grantRead(reader);
    });
    const readerId = logicalId(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.anyValue(),
      RoleName: Match.absent(),
      ManagedPolicyArns: Match.absent(),
    });
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: readerId }] } }),
    );
    expect(policies).toHaveLength(1);
    const [statement] = policies[0]?.Properties.PolicyDocument.Statement ?? [];
    expect([...statement.Action].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(JSON.stringify(statement.Resource)).toContain('/index/leaderboard');
  });

  it("mode: 'at-least-once' allows parallel batches per shard and no tumbling window", () => {
    const { template } = synth({
      mode: 'at-least-once',
      parallelizationFactor: 4,
      tumblingWindow: Duration.seconds(0),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ParallelizationFactor: 4,
      TumblingWindowInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DYNOTALLY_MODE: 'at-least-once' }) },
    });
  });
});

describe('DynotallyAggregates rejects at synth', () => {
  it('a source table without a stream, or with a stream that lacks old or new images', () => {
    const noStream = stackWithSource(null);
    expect(
      codeOf(() => new DynotallyAggregates(noStream.stack, 'A', { sourceTable: noStream.source, code })),
    ).toBe('SOURCE_STREAM_INVALID');
    const newImage = stackWithSource(StreamViewType.NEW_IMAGE);
    expect(
      () => new DynotallyAggregates(newImage.stack, 'A', { sourceTable: newImage.source, code }),
    ).toThrow(/streams NEW_IMAGE.*NEW_AND_OLD_IMAGES/);
    const imported = new Stack(testApp(), 'Imported');
    const byName = Table.fromTableName(imported, 'Jobs', 'jobs');
    expect(codeOf(() => new DynotallyAggregates(imported, 'A', { sourceTable: byName, code }))).toBe(
      'SOURCE_STREAM_INVALID',
    );
  });

  it('accepts an imported table with a stream ARN, and TableV2 with NEW_AND_OLD_IMAGES but not KEYS_ONLY', () => {
    const stack = new Stack(testApp(), 'Imported');
    const sourceTable = Table.fromTableAttributes(stack, 'Jobs', {
      tableName: 'jobs',
      tableStreamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/jobs/stream/2026-11-22T00:00:00.000',
    });
    expect(codeOf(() => new DynotallyAggregates(stack, 'A', { sourceTable, code }))).toBeUndefined();
    const partitionKey = { name: 'id', type: AttributeType.STRING };
    const good = new TableV2(stack, 'V2', { partitionKey, dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES });
    expect(codeOf(() => new DynotallyAggregates(stack, 'B', { sourceTable: good, code }))).toBeUndefined();
    const keysOnly = new TableV2(stack, 'V2Keys', { partitionKey, dynamoStream: StreamViewType.KEYS_ONLY });
    expect(codeOf(() => new DynotallyAggregates(stack, 'C', { sourceTable: keysOnly, code }))).toBe(
      'SOURCE_STREAM_INVALID',
    );
  });

  it('exactly-once breakers: parallelizationFactor above 1, a tumbling window under 1 s', () => {
    const { stack, source } = stackWithSource();
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    expect(codeOf(make('P', { parallelizationFactor: 2 }))).toBe('EVENT_SOURCE_INVALID');
    expect(make('P2', { parallelizationFactor: 2 })).toThrow(/one consumer per shard.*at-least-once/);
    expect(codeOf(make('T', { tumblingWindow: Duration.seconds(0) }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('T2', { tumblingWindow: Duration.millis(500) }))).toBe('EVENT_SOURCE_INVALID');
  });

  it('exactly-once: a tumbling window only known at deploy time (it could be 0: no shard id), with the option named', () => {
    const { stack, source } = stackWithSource();
    const window = new CfnParameter(stack, 'Window', { type: 'Number', default: 1 }).valueAsNumber;
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    const tokenWindow = { tumblingWindow: Duration.seconds(window) };
    expect(codeOf(make('T', tokenWindow))).toBe('EVENT_SOURCE_INVALID');
    expect(make('T2', tokenWindow)).toThrow(/tumblingWindow is only known at deploy time.*fixed Duration/);
    expect(make('T3', { tumblingWindow: Duration.seconds(Lazy.number({ produce: () => 5 })) })).toThrow(
      /tumblingWindow is only known at deploy time/,
    );
    // at-least-once leaves it to CloudFormation
    const { stack: other, source: otherSource } = stackWithSource();
    const p = new CfnParameter(other, 'Window', { type: 'Number', default: 0 }).valueAsNumber;
    new DynotallyAggregates(other, 'A', {
      sourceTable: otherSource,
      code,
      mode: 'at-least-once',
      tumblingWindow: Duration.seconds(p),
    });
    Template.fromStack(other).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      TumblingWindowInSeconds: { Ref: 'Window' },
    });
  });

  it('a mapping that can give up on a batch before 24 h with no onFailure destination, in either mode', () => {
    const { stack, source } = stackWithSource();
    const queue = new Queue(stack, 'Failures');
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    expect(codeOf(make('R', { retryAttempts: 7 }))).toBe('EVENT_SOURCE_INVALID');
    expect(make('R0', { retryAttempts: 0 })).toThrow(
      /retryAttempts 0 let Lambda skip a batch.*no onFailure destination.*give onFailure.*remove retryAttempts.*acceptSilentBatchLoss: true/,
    );
    expect(make('A', { maxRecordAge: Duration.hours(2) })).toThrow(/maxRecordAge 2 hours let Lambda skip/);
    expect(
      make('RA', { retryAttempts: 3, maxRecordAge: Duration.minutes(5), mode: 'at-least-once' }),
    ).toThrow(/retryAttempts 3 and maxRecordAge 5 minutes .*remove retryAttempts and maxRecordAge/);
    const retries = new CfnParameter(stack, 'Retries', { type: 'Number', default: -1 }).valueAsNumber;
    expect(make('RT', { retryAttempts: retries })).toThrow(/retryAttempts \(known only at deploy time\)/);
    try {
      make('D', { retryAttempts: 7 })();
      expect.unreachable();
    } catch (e) {
      expect((e as { details: unknown }).details).toEqual({ option: 'onFailure', limits: ['retryAttempts'] });
    }
    // what is allowed: a destination, the explicit opt-out, no early limit (24 h or more, retries without limit)
    expect(
      codeOf(make('Q', { retryAttempts: 7, maxRecordAge: Duration.hours(2), onFailure: queue })),
    ).toBeUndefined();
    expect(codeOf(make('QT', { retryAttempts: retries, onFailure: queue }))).toBeUndefined();
    expect(codeOf(make('O', { retryAttempts: 7, acceptSilentBatchLoss: true }))).toBeUndefined();
    expect(codeOf(make('F', { retryAttempts: -1, maxRecordAge: Duration.hours(24) }))).toBeUndefined();
    expect(codeOf(make('F2', { maxRecordAge: Duration.days(7) }))).toBeUndefined();
  });

  it('a maxRecordAge only known at deploy time, which aws-cdk-lib refuses without saying why, whatever the destination', () => {
    const { stack, source } = stackWithSource();
    const age = new CfnParameter(stack, 'Age', { type: 'Number', default: 86_400 }).valueAsNumber;
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    const onFailure = new Queue(stack, 'Failures');
    for (const [id, props] of [
      ['A', { maxRecordAge: Duration.seconds(age), onFailure }],
      ['B', { maxRecordAge: Duration.seconds(age) }],
      ['C', { maxRecordAge: Duration.seconds(age), mode: 'at-least-once' as const, onFailure }],
    ] as const) {
      expect(codeOf(make(id, props))).toBe('EVENT_SOURCE_INVALID');
      expect(make(`${id}2`, props)).toThrow(/maxRecordAge is only known at deploy time.*fixed Duration/);
    }
  });

  // the mapping takes seconds, and aws-cdk-lib cannot convert a token in another unit at synth: it threw its own
  // uncoded "Duration must be specified as 'Duration.seconds()' here …", naming no option
  it('a duration only known at deploy time in a unit other than seconds, with the option named; in seconds it deploys', () => {
    const { stack, source } = stackWithSource();
    const p = new CfnParameter(stack, 'Minutes', { type: 'Number', default: 1 }).valueAsNumber;
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    const lazy = Lazy.number({ produce: () => 1 });
    for (const [id, props, option] of [
      ['B', { maxBatchingWindow: Duration.minutes(p) }, 'maxBatchingWindow'],
      ['B2', { maxBatchingWindow: Duration.millis(lazy) }, 'maxBatchingWindow'],
      ['B3', { maxBatchingWindow: Duration.minutes(p), mode: 'at-least-once' as const }, 'maxBatchingWindow'],
      ['W', { tumblingWindow: Duration.minutes(p), mode: 'at-least-once' as const }, 'tumblingWindow'],
      ['W2', { tumblingWindow: Duration.hours(lazy), mode: 'at-least-once' as const }, 'tumblingWindow'],
    ] as const) {
      expect(codeOf(make(id, props)), id).toBe('EVENT_SOURCE_INVALID');
      expect(make(`${id}x`, props), id).toThrow(
        new RegExp(
          `${option} is only known at deploy time \\(a token\\) in (minutes|millis|hours).*Duration\\.seconds`,
        ),
      );
    }
    // the token refusals of session 30 hold in any unit
    expect(make('E', { tumblingWindow: Duration.minutes(p) })).toThrow(
      /tumblingWindow is only known at deploy time/,
    );
    expect(make('A', { maxRecordAge: Duration.hours(p) })).toThrow(
      /maxRecordAge is only known at deploy time/,
    );
    // in seconds, aws-cdk-lib passes the token to CloudFormation, which checks it at deploy: so does the construct
    const { stack: other, source: otherSource } = stackWithSource();
    const q = new CfnParameter(other, 'Seconds', { type: 'Number', default: 2 }).valueAsNumber;
    new DynotallyAggregates(other, 'S', {
      sourceTable: otherSource,
      code,
      maxBatchingWindow: Duration.seconds(q),
    });
    new DynotallyAggregates(other, 'S2', {
      sourceTable: otherSource,
      code,
      mode: 'at-least-once',
      maxBatchingWindow: Duration.seconds(q),
      tumblingWindow: Duration.seconds(q),
    });
    const mappings = Template.fromStack(other).findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.values(mappings).map((m) => m.Properties.MaximumBatchingWindowInSeconds)).toEqual([
      { Ref: 'Seconds' },
      { Ref: 'Seconds' },
    ]);
    expect(Object.values(mappings).map((m) => m.Properties.TumblingWindowInSeconds)).toEqual([
      1,
      { Ref: 'Seconds' },
    ]);
  });

  // the function takes seconds, and aws-cdk-lib cannot convert a token in another unit at synth: it threw its own
  // uncoded "Duration must be specified as 'Duration.seconds()' here …", naming no option; so were a fixed timeout
  // past 15 minutes or not in whole seconds
  it('a timeout only known at deploy time in a unit other than seconds, or one Lambda would reject, with the option named; in seconds it deploys', () => {
    const { stack, source } = stackWithSource();
    const p = new CfnParameter(stack, 'Minutes', { type: 'Number', default: 1 }).valueAsNumber;
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    const lazy = Lazy.number({ produce: () => 2 });
    for (const [id, timeout, unit] of [
      ['T', Duration.minutes(p), 'minutes'],
      ['T2', Duration.minutes(lazy), 'minutes'],
      ['T3', Duration.millis(lazy), 'millis'],
    ] as const) {
      expect(codeOf(make(id, { timeout })), id).toBe('CONFIG_INVALID');
      expect(make(`${id}x`, { timeout }), id).toThrow(
        new RegExp(`timeout is only known at deploy time \\(a token\\) in ${unit}.*Duration\\.seconds`),
      );
    }
    for (const [id, timeout] of [
      ['F', Duration.minutes(16)],
      ['F2', Duration.millis(1500)],
      ['F3', Duration.seconds(0)],
    ] as const) {
      expect(codeOf(make(id, { timeout })), id).toBe('CONFIG_INVALID');
      expect(make(`${id}x`, { timeout }), id).toThrow(
        /timeout .* is not a whole number of seconds from 1 s to 15 minutes/,
      );
    }
    // in seconds, aws-cdk-lib passes the token to CloudFormation, which checks it at deploy; fixed values in range
    // in any unit are converted as before
    const { stack: other, source: otherSource } = stackWithSource();
    const q = new CfnParameter(other, 'Seconds', { type: 'Number', default: 30 }).valueAsNumber;
    for (const [id, timeout] of [
      ['S', Duration.seconds(q)],
      ['S2', Duration.seconds(lazy)],
      ['S3', Duration.minutes(15)],
      ['S4', Duration.millis(2000)],
    ] as const) {
      new DynotallyAggregates(other, id, { sourceTable: otherSource, code, timeout });
    }
    const fns = Template.fromStack(other).findResources('AWS::Lambda::Function');
    expect(Object.values(fns).map((f) => f.Properties.Timeout)).toEqual([{ Ref: 'Seconds' }, 2, 900, 2]);
  });

  it('values Lambda would reject, and a bad function setup', () => {
    const { stack, source } = stackWithSource();
    const make = (id: string, props: Partial<DynotallyAggregatesProps>) => () =>
      new DynotallyAggregates(stack, id, { sourceTable: source, code, ...props });
    expect(codeOf(make('B', { batchSize: 20_000 }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('B0', { batchSize: 0 }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('W', { tumblingWindow: Duration.minutes(16) }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('F', { mode: 'at-least-once', parallelizationFactor: 11 }))).toBe(
      'EVENT_SOURCE_INVALID',
    );
    expect(codeOf(make('R', { retryAttempts: -2 }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('R1', { retryAttempts: 10_001 }))).toBe('EVENT_SOURCE_INVALID');
    expect(codeOf(make('R2', { retryAttempts: -1 }))).toBeUndefined();
    expect(codeOf(make('N', { runtime: Runtime.NODEJS_18_X }))).toBe('CONFIG_INVALID');
    expect(codeOf(make('E', { entry: 'handler.ts' }))).toBe('CONFIG_INVALID');
    expect(
      codeOf(
        () => new DynotallyAggregates(stack, 'None', { sourceTable: source } as DynotallyAggregatesProps),
      ),
    ).toBe('CONFIG_INVALID');
  });
});
