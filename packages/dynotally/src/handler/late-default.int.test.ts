// The Lambda handler's built-in applier dead-letters late records by default (`lateRecords: 'dead-letter'`): a
// deployment without the CDK construct and without a maximum record age on its mapping can be delivered a record
// after its shard's exactly-once state was pruned from the rows (see apply/late-records.ts), and applying it could
// count it twice. `lateRecords: 'apply'` keeps the Applier's own default; a ready write side keeps its own setting.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { Applier } from '../apply/index.ts';
import type { DeadLetter } from '../dead-letter/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createStreamHandler } from './index.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = defineRollup({
  name: 'jobs',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const NOW = Date.UTC(2026, 11, 6, 12);
const HOUR = 3_600_000;
const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-01T00:00:00.000';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** An INSERT written `ageMs` before NOW (its event time and its stream time alike). */
const written = (seq: string, ageMs: number): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: ARN,
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: (NOW - ageMs) / 1000,
    Keys: { id: { S: seq } },
    NewImage: { id: { S: seq }, g: { S: 'x' }, ts: { N: String(NOW - ageMs) } },
  },
});
// one record an hour old, one 25 h old (past 24 h 30 min: late)
const batch = [written('100', 25 * HOUR), written('200', HOUR)];

async function counted(table: string): Promise<string | undefined> {
  const rows = await scanTable(clients.ddb, table);
  const row = rows.find((r) => r.pk?.S?.startsWith('jobs'));
  return row === undefined ? undefined : Object.entries(row).find(([k]) => k.startsWith('n'))?.[1]?.N;
}

async function run(options: { lateRecords?: 'apply' | 'dead-letter'; ready?: boolean }) {
  const table = uniqueTableName('late-default');
  await createAggregateTable(clients.ddb, table);
  const letters: DeadLetter[] = [];
  const deadLetter = { send: async (ls: readonly DeadLetter[]) => void letters.push(...ls) };
  const common = { rollups: [rollup], client: clients.ddb, table, now: () => NOW };
  const handler = options.ready
    ? createStreamHandler({ applier: new Applier(common), deadLetter, logger: quiet })
    : createStreamHandler({ ...common, deadLetter, logger: quiet, lateRecords: options.lateRecords });
  const response = await handler({ Records: batch, shardId: 'shard-1' });
  expect(response.batchItemFailures).toEqual([]);
  return { n: await counted(table), codes: letters.map((l) => l.code) };
}

describe('the handler and late records', () => {
  it('dead-letters a record older than 24 h 30 min by default, and counts the rest', async () => {
    expect(await run({})).toEqual({ n: '1', codes: ['RECORD_TOO_OLD'] });
  });

  it("counts it with lateRecords: 'apply'", async () => {
    expect(await run({ lateRecords: 'apply' })).toEqual({ n: '2', codes: [] });
  });

  it("leaves a ready write side's own setting alone (the Applier's default: 'apply')", async () => {
    expect(await run({ ready: true })).toEqual({ n: '2', codes: [] });
  });
});
