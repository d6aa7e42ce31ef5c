// Review s30b: a dead letter of a record created while a version was being built goes through the item's claim
// when it is replayed (as the stream side decided it). Claims live 30 days from their write; a letter replayed
// later may find the claim gone (DynamoDB's TTL), and the replay then decided the record as the item's first:
// a MODIFY whose old image the scan had counted added its new image without taking the old one out, and the item
// counted twice in the version (group a still 1, group b 1). Now a replay past the claims' lifetime that finds no
// claim for the item refuses the letter (DEAD_LETTER_NOT_REPLAYABLE, nothing written); one that finds the claim
// (TTL not swept yet) replays it as before.
import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  pendingRowsOf,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { counterCells } from '../apply/budget-support.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { S30B_STREAM, streamRecords } from './s30b-records.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const DAY = 86_400_000;
const kinds = defineRollup({
  name: 'kinds',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

/** DynamoDB's TTL sweep of the claim table (key `pk`), by hand: every claim whose `ttl` passed by `now` goes. */
async function sweepClaims(table: string, now: number): Promise<number> {
  const out = await clients.ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  const gone = (out.Items ?? []).filter((i) => i.ttl?.N !== undefined && Number(i.ttl.N) * 1000 <= now);
  for (const i of gone)
    await clients.ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: i.pk as { S: string } } }));
  return gone.length;
}

/**
 * A new rollup over an existing item x (g = a), built by a backfill; then x moves to b, and that record's batch
 * keeps failing: the stream worker dead-letters it as it does (the write side's probe, the record's pending rows).
 */
async function letterDuringBuild(prefix: string) {
  const s = streamRecords(() => Date.now());
  const insert = s.put('x', { g: { S: 'a' } }, 3_600);
  const item = insert.dynamodb?.NewImage as Record<string, { S?: string; N?: string }>;
  const t = await buildingTables(clients.ddb, prefix, [item as never], kinds.compiled);
  const dlt = uniqueTableName(`${prefix}-dl`);
  await createDeadLetterTable(clients.ddb, dlt);
  const report = await runBackfill({
    client: clients.ddb,
    source: t.source,
    table: t.table,
    claimTable: t.claimTable,
    rollup: kinds,
    segments: 1,
    settleMs: 0,
  });
  expect(report.complete).toBe(true);
  const side = createVersionedWriteSide({
    client: clients.ddb,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [kinds],
  });
  const modify = s.put('x', { g: { S: 'b' } });
  const at = Date.now();
  const shardId = 'shardId-1';
  const probe = await side.deadLetterProbe?.({ records: [modify], shardId, at });
  if (probe === undefined) throw new Error('the versioned side has a probe');
  const pendingRows = await pendingRowsOf({
    client: clients.ddb,
    table: t.table,
    rollups: probe.rollups,
    strategy: probe.strategy,
    source: S30B_STREAM,
    shardId,
    record: modify,
    now: at,
  });
  const letter: DeadLetter = {
    source: S30B_STREAM,
    shardId,
    sequenceNumber: modify.dynamodb?.SequenceNumber ?? '',
    eventId: modify.eventID,
    code: 'RETRIES_EXHAUSTED',
    reason: 'a batch kept failing',
    record: modify,
    at,
    ...(pendingRows === undefined ? {} : { pendingRows }),
  };
  await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
  expect(await counterCells(clients.ddb, t.table)).toEqual({ 'kinds#sa|n': '1' });
  const replay = (now: number) =>
    replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [kinds],
      all: true,
      now: () => now,
    });
  return { ...t, replay };
}

describe('replaying a letter of a record created during a build, past the claims’ lifetime', () => {
  it('refuses the letter when the item’s claim is gone, and writes nothing', async () => {
    const t = await letterDuringBuild('s30b-exp');
    const later = Date.now() + 31 * DAY;
    expect(await sweepClaims(t.claimTable, later)).toBeGreaterThan(0);
    const results = await t.replay(later);
    // before the fix: replayed, and kinds#sa 1, kinds#sb 1 (x counted twice; the source holds x in b only)
    expect(await counterCells(clients.ddb, t.table)).toEqual({ 'kinds#sa|n': '1' });
    expect(results.map((r) => [r.outcome, r.code])).toEqual([['still-poison', 'DEAD_LETTER_NOT_REPLAYABLE']]);
    expect(results[0]?.reason).toMatch(/claim/);
  });

  it('replays it as the stream decided while the claim is still there', async () => {
    const t = await letterDuringBuild('s30b-exp-kept');
    const results = await t.replay(Date.now() + 31 * DAY);
    expect(results.map((r) => r.outcome)).toEqual(['replayed']);
    // the oracle from the source: x in b
    expect(await counterCells(clients.ddb, t.table)).toEqual({ 'kinds#sa|n': '0', 'kinds#sb|n': '1' });
  });
});
