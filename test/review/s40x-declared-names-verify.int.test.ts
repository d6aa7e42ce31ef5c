// Review s40x (groupBy: { names, fn }, session 40): the Lambda handler (through the versioned write side) and verify
// with a groupBy function with declared names. Checked sound, kept as a regression test (the s39q tests use the
// Applier and foldBatch only): from a source table's stream, the view whose group is { userId } is a VALUE_INVALID
// letter and leaves no trace; verify recomputes the same rows from the source (0 drift), reports the view as
// uncountable (by key, with the same reason), names a drifted group by the declared names ({ storeId: 's-1' }), and
// refuses a group with other names (GROUP_INVALID) before any scan.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { memoryLogger, Pipeline } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

// a union of shapes, as a function built from data returns (TypeScript would refuse the literal union)
const byStore = defineRollup({
  name: 'byStore',
  groupBy: {
    names: ['storeId'],
    fn: (item): Record<string, string> | undefined =>
      item.type === 'order'
        ? { storeId: String(item.who) }
        : item.type === 'view'
          ? { userId: String(item.who) }
          : undefined,
  },
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const T = Date.UTC(2026, 10, 1, 12);

describe('the stream handler and verify with a groupBy function with declared names (s40x)', () => {
  const clients = testClients();
  const ddb = clients.ddb;
  let pipe: Pipeline;
  let letters = '';
  const base = () => ({
    client: ddb,
    source: pipe.source,
    table: pipe.aggregates,
    rollup: byStore,
    settleMs: 0,
  });

  beforeAll(async () => {
    pipe = await Pipeline.create(clients, [], 's40x');
    const claims = `${pipe.aggregates}-claims`;
    await createClaimTable(ddb, claims);
    letters = await pipe.newDeadLetterTable('s40x-dlq');
    const handler = createStreamHandler({
      applier: createVersionedWriteSide({
        client: ddb,
        table: pipe.aggregates,
        claimTable: claims,
        rollups: [byStore],
      }),
      deadLetter: { table: letters },
      client: ddb,
      logger: memoryLogger(),
    });
    const item = (id: string, type: string) => ({
      id: { S: id },
      type: { S: type },
      who: { S: 's-1' },
      t: { N: String(T) },
    });
    await pipe.put(item('o-1', 'order'));
    await pipe.put(item('v-1', 'view'));
    await pipe.put(item('o-2', 'order'));
    for (const shard of await pipe.readStream()) {
      const Records: DynamoDBRecord[] = shard.records;
      const res = await handler({ Records, shardId: shard.shardId });
      expect(res.batchItemFailures).toEqual([]);
    }
  });
  afterAll(() => clients.destroy());

  it('dead-letters the view, counts the orders alone, and verify agrees (the view uncountable)', async () => {
    const stored = await listDeadLetters({ client: ddb, table: letters });
    expect(stored.map((l) => l.code)).toEqual(['VALUE_INVALID']);
    expect(stored[0]?.reason).toContain("returned a group named 'userId', not the declared names 'storeId'");
    const rows = (await scanTable(ddb, pipe.aggregates)).filter((r) => r.pk?.S?.startsWith('byStore#'));
    expect(rows.map((r) => [r.pk?.S, r.sk?.S, r.n?.N])).toEqual([['byStore#ss-1', 'ALL', '2']]);

    const report = await verify(base());
    expect(report.drift).toEqual([]);
    expect(report.groups).toBe(1);
    expect(report.uncountable.map((u) => [u.code, u.item])).toEqual([
      ['VALUE_INVALID', { id: { S: 'v-1' } }],
    ]);
  });

  it('names a drifted group by the declared names, and refuses a group with other names before any scan', async () => {
    await ddb.send(
      new UpdateItemCommand({
        TableName: pipe.aggregates,
        Key: { pk: { S: 'byStore#ss-1' }, sk: { S: 'ALL' } },
        UpdateExpression: 'ADD n :five',
        ExpressionAttributeValues: { ':five': { N: '5' } },
      }),
    );
    const report = await verify(base());
    expect(report.drift.map((d) => [d.group, d.measure, d.expected, d.actual])).toEqual([
      [{ storeId: 's-1' }, 'n', '2', '7'],
    ]);
    const named = await verify({ ...base(), groups: [{ storeId: 's-1' }] });
    expect(named.drift.map((d) => d.group)).toEqual([{ storeId: 's-1' }]);
    const refused = await verify({ ...base(), groups: [{ userId: 's-1' }] as never }).catch(
      (e: unknown) => e,
    );
    expect((refused as { code?: string }).code).toBe('GROUP_INVALID');
  });
});
