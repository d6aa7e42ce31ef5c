// Every request the built-in applier and the dead-letter sink send is one the CDK construct's role may make.
// DynamoDB Local enforces no IAM, so nothing else would notice: the exclusion read (a BatchGetItem, now a Query)
// was missing from the handler's grants, and on AWS every exactly-once batch would have failed AccessDenied.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';
import { registerBuildingV2 } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const time = { attribute: 't', format: 'epoch-millis' } as const;
const amounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time,
  granularities: ['all'],
  measures: { n: count(), total: sum('amount'), top: max('amount') },
});
const kinds = defineRollup({
  name: 'kinds',
  groupBy: 'kind',
  time,
  granularities: ['all'],
  measures: { n: count() },
});

const paths: Array<{ name: string; options: Partial<ApplierOptions>; refuse: boolean; uses: string[] }> = [
  {
    name: 'row-watermark on PartiQL (the default), a refused record',
    options: {},
    refuse: true,
    uses: ['PartiQLInsert', 'PartiQLUpdate', 'UpdateItem', 'Query'],
  },
  {
    name: 'row-watermark, rows past the state budget, a refused record',
    options: { stateBudgetBytes: 0, pruneSampleEvery: 1 },
    refuse: true,
    // every row sampled: read back after its PartiQL write (BatchGetItem), found over the budget, marked
    uses: ['UpdateItem', 'GetItem', 'Query', 'BatchGetItem'],
  },
  {
    // a sum past 38 digits still fails a batch of this strategy (ARCHITECTURE): no refused record here
    name: 'the transaction strategy',
    options: { strategy: 'transaction' },
    refuse: false,
    uses: ['UpdateItem', 'GetItem'],
  },
];

describe.each(paths)('the IAM actions of $name', ({ options, refuse, uses }) => {
  it("are all among the construct's grants to the stream handler", async () => {
    const table = uniqueTableName('iam');
    const letters = uniqueTableName('iam-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, letters);
    const { client, seen } = recordingClient();
    const applier = new Applier({
      lateRecords: 'apply',
      client,
      table,
      rollups: [amounts, kinds],
      deadLetter: new DynamoDbDeadLetterSink(client, letters),
      ...options,
    });
    const next = insertRecords();
    const insert = (id: string, g: string, amount: string) =>
      next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
    await applier.apply({ records: [insert('z', 'other', '1')], shardId: 'shard-0' });
    await applier.apply({ records: [insert('a', 'big', '1e20'), insert('b', 'x', '2')], shardId: 'shard-1' });
    // d cannot be added to amounts#sbig (40 digits): a dead letter, taken back, recorded as an exclusion
    const batch = [
      insert('c', 'x', '3'),
      insert('d', 'big', refuse ? '1e-19' : '1'),
      insert('e', 'big', '5'),
    ];
    await applier.apply({ records: batch, shardId: 'shard-1' });
    await applier.apply({ records: batch, shardId: 'shard-1' }); // a redelivery
    await applier.apply({ records: [insert('f', 'x', '4')], shardId: 'shard-0' });
    const onTable = [...(seen.get(table) ?? [])].sort();
    // the scenario reaches the paths it is meant to (else this test could not fail)
    for (const action of uses) expect(onTable).toContain(`dynamodb:${action}`);
    expect(onTable.filter((a) => !(DYNOTALLY_ACTIONS.apply as readonly string[]).includes(a))).toEqual([]);
    const onLetters = [...(seen.get(letters) ?? [])];
    expect(onLetters.length > 0).toBe(refuse);
    expect(onLetters.filter((a) => !(DYNOTALLY_ACTIONS.deadLetter as readonly string[]).includes(a))).toEqual(
      [],
    );
  });
});

describe('the IAM actions of the versioned write side (rollup versions, a version under backfill)', () => {
  it('are the handler grants plus DYNOTALLY_ACTIONS.versions on the aggregate and claim tables', async () => {
    const table = uniqueTableName('iam-v');
    const claims = uniqueTableName('iam-v-claims');
    await createAggregateTable(clients.ddb, table);
    await createClaimTable(clients.ddb, claims);
    const { client, seen } = recordingClient();
    const side = createVersionedWriteSide({
      apply: { lateRecords: 'apply' },
      client,
      table,
      claimTable: claims,
      rollups: [kinds],
      claimMarginMs: 1_000,
    });
    const next = insertRecords();
    const insert = (id: string) => next(id, { kind: { S: 'k' } });
    await side.apply({ records: [insert('a')], shardId: 'shard-0' }); // registers version 1
    await registerBuildingV2(clients.ddb, table, kinds);
    await side.apply({ records: [insert('b'), insert('c')], shardId: 'shard-0' }); // claimed for version 2
    const granted = (list: readonly string[]) => (a: string) => !list.includes(a);
    const onTable = [...(seen.get(table) ?? [])].sort();
    const onClaims = [...(seen.get(claims) ?? [])].sort();
    // the scenario reaches the control read and the claims (else this test could not fail)
    expect(onTable).toContain('dynamodb:BatchGetItem');
    expect(onClaims).toContain('dynamodb:PutItem');
    expect(
      onTable.filter(granted([...DYNOTALLY_ACTIONS.apply, ...DYNOTALLY_ACTIONS.versions.aggregates])),
    ).toEqual([]);
    expect(onClaims.filter(granted(DYNOTALLY_ACTIONS.versions.claims))).toEqual([]);
  });
});
