// Every request `dynotally dead-letters list`, `show` and `drop` send is one the construct's grant for them allows
// (`grantReadDeadLetters`: DYNOTALLY_ACTIONS.inspect; `grantDropDeadLetters`: DYNOTALLY_ACTIONS.drop), and every
// action those lists name is sent. DynamoDB Local enforces no IAM, so the CLI runs in process against an endpoint that
// records each request's actions by table (test/support/iam-recorder.ts). grantReadDeadLetters used to grant a `Query`
// that nothing sends, and nothing granted `drop`'s `DeleteItem`. The letters include one too large for one item, so
// its parts are read (`GetItem`) and deleted with it; each dropped letter becomes a tombstone (`UpdateItem`). Since
// session 43 an id is read by key (its id entry); the letter dropped without one (stored before 0.2.0) is what scans.
import { randomBytes } from 'node:crypto';
import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { ID_ENTRY_SK, idEntryKey } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';
import { recordingEndpoint } from '../support/iam-recorder.ts';
import { tempDir } from '../support/temp-dir.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

let seq = 7000;
function insert(id: string, attrs: Record<string, AttributeValue>): DynamoDBRecord {
  seq += 1;
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      Keys: { id: { S: id } },
      NewImage: { id: { S: id }, ...attrs },
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('the IAM actions of inspecting and dropping dead letters', () => {
  it('list and show send only DYNOTALLY_ACTIONS.inspect, drop only DYNOTALLY_ACTIONS.drop, each action of both sent', async () => {
    const target = await ddbReady();
    const [table, letters] = ['agg', 'dl'].map((t) => uniqueTableName(`iam-ld-${t}`)) as [string, string];
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, letters);
    const records = [
      insert('o-1', { q: { N: '1' } }),
      // incompressible, so the letter's body goes to part items
      insert('o-2', { blob: { S: randomBytes(340_000).toString('base64') } }),
      insert('o-3', { q: { N: '3' } }),
    ];
    const at = Date.now();
    await new DynamoDbDeadLetterSink(clients.ddb, letters).send(
      records.map((record, i) => ({
        source: record.eventSourceARN ?? '',
        shardId: 'shardId-1',
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code: 'VALUE_INVALID',
        reason: `cannot fold it (${i})`,
        record,
        at: at + i,
      })),
    );
    const stored = await listDeadLetters({ client: clients.ddb, table: letters });
    const large = stored.find((l) => l.eventId === records[1]?.eventID)?.id as string;
    const small = stored.find((l) => l.eventId === records[0]?.eventID)?.id as string;
    expect([large, small].every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);

    // the CLI as a user runs it: no config file, the tables named by flags, through the recording endpoint
    const cwd = tempDir('dynotally-iam-ld-');
    const { endpoint, seen } = await recordingEndpoint(target);
    const cli = async (args: string[]) => {
      const io = fakeIo({ cwd });
      const code = await runCli(
        [...args, '--endpoint', endpoint, '--table', table, '--dead-letter-table', letters],
        io,
      );
      expect(code, io.err).toBe(0);
      return io.out;
    };
    const on = (t: string) => [...(seen.get(t) ?? [])].sort();

    const listed = JSON.parse(await cli(['dead-letters', 'list', '--json'])) as {
      deadLetters: Array<{ id: string }>;
    };
    expect(listed.deadLetters.map((l) => l.id).sort()).toEqual(stored.map((l) => l.id).sort());
    const shown = JSON.parse(await cli(['dead-letters', 'show', large, '--json'])) as { record: unknown };
    expect(JSON.stringify(shown.record)).toContain('o-2'); // the parts were read
    expect([...seen.keys()]).toEqual([letters]);
    // exactly the list: nothing beyond it (denied on AWS), nothing in it unsent (granted for nothing)
    expect(on(letters)).toEqual([...DYNOTALLY_ACTIONS.inspect.deadLetters].sort());

    seen.clear();
    // the small letter as a release before 0.2.0 stored it, without an id entry: drop finds it by a scan of the keys
    await clients.ddb.send(new DeleteItemCommand({ TableName: letters, Key: idEntryKey(small) }));
    await cli(['dead-letters', 'drop', large, small]);
    expect((await listDeadLetters({ client: clients.ddb, table: letters })).map((l) => l.eventId)).toEqual([
      records[2]?.eventID,
    ]);
    expect([...seen.keys()]).toEqual([letters]);
    expect(on(letters)).toEqual([...DYNOTALLY_ACTIONS.drop.deadLetters].sort());
    // the large letter's parts went with it: the one letter left, as one item, the two tombstones, and the id entries
    // of the large letter (pointing at its tombstone) and of the one left
    const items = await clients.ddb.send(new ScanCommand({ TableName: letters, ConsistentRead: true }));
    expect(
      items.Items?.map((i) =>
        i.partOf?.S === ID_ENTRY_SK ? 'entry' : i.partOf ? 'part' : i.droppedAt ? 'tombstone' : 'letter',
      ).sort(),
    ).toEqual(['entry', 'entry', 'letter', 'tombstone', 'tombstone']);
  });
});
