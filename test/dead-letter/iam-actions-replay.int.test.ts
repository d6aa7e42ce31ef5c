// Every request a replay of dead letters sends is one DYNOTALLY_ACTIONS.replay grants (what
// `DynotallyAggregates.grantReplayDeadLetters` gives). DynamoDB Local enforces no IAM, so nothing else would notice:
// the construct offered only `grantReadDeadLetters` (GetItem, Query, Scan on the dead-letter table), documented as
// enough "to inspect and replay them", and `dynotally dead-letters replay` run under it was denied at its first
// write. This test runs what the CLI runs (its reads of the control items and its check of the claim table, then
// `replayDeadLetters`) on letters that reach every request a replay makes: a record counted in the serving version
// and, through the claims, in one under backfill (rows and marker in one transaction, a max written first, the
// retention history recorded, the version bound to the claim table), a letter too large for one item (its parts
// read), and a record still poison (its reason noted).
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { DynamoDbDeadLetterSink, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { ID_ENTRY_SK } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { count, defineRollup, max, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const config = {
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'all'],
  retention: { hour: '30d' },
  measures: { n: count(), top: max('q') },
} as const;
const serving = defineRollup(config);
const building = defineRollup({ ...config, measures: { ...config.measures, q: sum('q') } });

let seq = 5000;
function insert(id: string, attrs: Record<string, AttributeValue>, at: number): DynamoDBRecord {
  seq += 1;
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, t: { N: String(at) }, ...attrs },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(at / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('the IAM actions of a dead-letter replay', () => {
  it('are all among DYNOTALLY_ACTIONS.replay, on the dead-letter, aggregate and claim tables', async () => {
    await ddbReady();
    const [table, letters, claims] = ['agg', 'dl', 'cl'].map((t) => uniqueTableName(`iam-rp-${t}`)) as [
      string,
      string,
      string,
    ];
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, letters);
    await createClaimTable(clients.ddb, claims); // what the construct deploys with versions
    // version 1 serving, version 2 being built by a backfill: a replayed record goes through its claims
    await registerVersions(clients.ddb, table, [serving.compiled]);
    await registerVersions(clients.ddb, table, [building.compiled]);
    const at = Date.now();
    const records = [
      insert('o-1', { storeId: { S: 's-1' }, q: { N: '5' } }, at),
      // incompressible, so the letter's body goes to part items
      insert(
        'o-2',
        { storeId: { S: 's-2' }, q: { N: '7' }, blob: { S: randomBytes(340_000).toString('base64') } },
        at,
      ),
      insert('o-3', { storeId: { S: 's-1' }, q: { N: '1' }, t: { S: 'soon' } }, at),
    ];
    await new DynamoDbDeadLetterSink(clients.ddb, letters).send(
      records.map((record, i) => ({
        source: record.eventSourceARN ?? '',
        shardId: 'shardId-1',
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code: 'RETRIES_EXHAUSTED',
        reason: `the batch kept failing (${i})`,
        record,
        at: at + i,
      })),
    );

    // the large letter was stored in parts (their GetItem is the read a replay of it needs beyond the Scan)
    const stored = await clients.ddb.send(new ScanCommand({ TableName: letters, ConsistentRead: true }));
    expect(stored.Items?.some((item) => item.partOf !== undefined && item.partOf.S !== ID_ENTRY_SK)).toBe(
      true,
    );

    const { client, seen } = recordingClient();
    // as `dynotally dead-letters replay --all` runs: each configured rollup's control item, the claim table's
    // check when a version is under backfill, then the replay
    expect((await readControl(client, table, 'store'))?.versions).toHaveLength(2);
    await createClaimTable(client, claims);
    const results = await replayDeadLetters({
      client,
      deadLetterTable: letters,
      table,
      rollups: [serving, building],
      claimTable: claims,
      all: true,
    });
    expect(results.map((r) => r.outcome).sort()).toEqual(['replayed', 'replayed', 'still-poison']);
    expect(
      (
        await replayDeadLetters({
          client,
          deadLetterTable: letters,
          table,
          rollups: [serving, building],
          claimTable: claims,
          all: true,
        })
      ).filter((r) => r.outcome !== 'still-poison'),
    ).toEqual([]);

    const on = (t: string) => [...(seen.get(t) ?? [])].sort();
    const beyond = (t: string, granted: readonly string[]) => on(t).filter((a) => !granted.includes(a));
    const a = DYNOTALLY_ACTIONS.replay;
    expect(beyond(letters, a.deadLetters)).toEqual([]);
    expect(beyond(table, a.aggregates)).toEqual([]);
    expect(beyond(claims, a.claims)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([letters, table, claims].sort());
    // every action listed was sent (else this test could not fail for it, and the list would grant too much)
    expect(on(letters)).toEqual([...a.deadLetters].sort());
    expect(on(table)).toEqual([...a.aggregates].sort());
    // but UpdateTimeToLive, sent only to a claim table without TTL (test/backfill/iam-actions-claim-ttl.int.test.ts)
    expect(on(claims)).toEqual([...a.claims].filter((x) => x !== 'dynamodb:UpdateTimeToLive').sort());
  });
});
