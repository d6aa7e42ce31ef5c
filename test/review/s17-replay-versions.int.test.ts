// Review s17 (versions in the CLI), the review's finding, now expected: `dynotally dead-letters replay` knew no
// rollup versions. The worker and query follow the serving version, but replay (`replayDeadLetters` with the
// configuration's rollups) folded a letter's record into version 1's keys (`orders#…`) whatever served. After
// `backfill --promote` served version 2, a `RETRIES_EXHAUSTED` letter (dead-letters.md: "fix the cause, then replay
// it") replayed with the serving configuration was written to version 1's rows — retired, never read — with the new
// definition's measures mixed into the old definition's rows, and version 2, which queries read, never counted it:
// replay reported `replayed` (2 rows), exit 0, and the serving query read n 0 for it: the record was lost.
// Expected (and now so): the replayed record counts in the serving version (`orders.v2#…`), as the worker would
// have counted it. `replayDeadLetters` reads the rollups' control items and writes every version of the given
// definitions that is not retired (test/dead-letter/replay-versions.int.test.ts has the library's cases).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAggregateTable,
  createDeadLetterTable,
  createServingQueryClient,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  promoteVersion,
} from '../../packages/dynotally/src/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ordersConfigFile } from './s17-orders-config.ts';

const T = Date.UTC(2026, 10, 20, 10);
const STREAM = 'arn:aws:dynamodb:local:000000000000:table/s17-src/stream/2026-01-01T00:00:00.000';

const insert: DynamoDBRecord = {
  eventID: 'e1',
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  eventSourceARN: STREAM,
  dynamodb: {
    Keys: { pk: { S: 'order' }, sk: { S: 'o-1' } },
    NewImage: {
      pk: { S: 'order' },
      sk: { S: 'o-1' },
      storeId: { S: 's-1' },
      amount: { N: '2' },
      t: { N: String(T) },
    },
    SequenceNumber: '1001',
    ApproximateCreationDateTime: T / 1000,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
};

describe('dynotally dead-letters replay after a promotion', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('counts the replayed record in the serving version', { timeout: 300_000 }, async () => {
    const endpoint = await ddbReady();
    const table = uniqueTableName('s17d-agg');
    const dlt = uniqueTableName('s17d-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const dir = tempDir('dynotally-s17d-');
    const first = ordersConfigFile(dir, false);
    const extended = ordersConfigFile(dir, true);
    const oldDef = (await import(first)).orders;
    const newDef = (await import(extended)).orders;
    // version 1 (first definition) retired, version 2 (the configuration's) serving
    await registerVersions(clients.ddb, table, [oldDef.compiled]);
    await registerVersions(clients.ddb, table, [newDef.compiled]);
    await promoteVersion(clients.ddb, table, 'orders', 2, { force: true });
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
      {
        source: STREAM,
        shardId: 'shardId-1',
        sequenceNumber: '1001',
        eventId: 'e1',
        code: 'RETRIES_EXHAUSTED',
        reason: 'the batch kept failing (throttled)',
        record: insert,
        at: Date.now(), // a letter of T would be past its 14 days' retention, and gone
      },
    ]);

    const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt });
    expect(letter?.code).toBe('RETRIES_EXHAUSTED');
    const run = await runDynotally([
      'dead-letters',
      'replay',
      letter?.id ?? '',
      '-c',
      extended,
      '--endpoint',
      endpoint,
      '--table',
      table,
      '--dead-letter-table',
      dlt,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).results[0].outcome).toBe('replayed');

    // what `dynotally query total orders --group storeId=s-1 --all` reads
    const query = createServingQueryClient({ client: clients.ddb, table, rollups: [newDef] });
    try {
      const got = await query.total(newDef, { storeId: 's-1' }, 'all');
      expect({ n: got.values.n, amount: String(got.values.amount) }).toEqual({ n: 1, amount: '2' });
    } finally {
      query.close();
    }
    // and version 1's rows (the old definition's) were not given the new definition's measures
    const v1 = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith('orders#'));
    expect(v1.filter((r) => r.amount !== undefined)).toEqual([]);
  });

  it('refuses, with what to run, while the configured definition is being built', {
    timeout: 300_000,
  }, async () => {
    const endpoint = await ddbReady();
    const table = uniqueTableName('s17e-agg');
    const dlt = uniqueTableName('s17e-dl');
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    const dir = tempDir('dynotally-s17e-');
    const first = ordersConfigFile(dir, false);
    const extended = ordersConfigFile(dir, true);
    // version 1 (first definition) serving, version 2 (the configuration's) building
    await registerVersions(clients.ddb, table, [(await import(first)).orders.compiled]);
    await registerVersions(clients.ddb, table, [(await import(extended)).orders.compiled]);
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
      {
        source: STREAM,
        shardId: 'shardId-1',
        sequenceNumber: '1001',
        eventId: 'e1',
        code: 'RETRIES_EXHAUSTED',
        reason: 'the batch kept failing (throttled)',
        record: insert,
        at: Date.now(),
      },
    ]);
    const flags = ['--endpoint', endpoint, '--table', table, '--dead-letter-table', dlt];
    const run = await runDynotally(['dead-letters', 'replay', '--all', '-c', extended, ...flags]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('[VERSION_BUILDING]');
    expect(run.stderr).toContain('run dynotally backfill orders --promote');
    expect(await scanTable(clients.ddb, table).then((rows) => rows.filter((r) => r.n !== undefined))).toEqual(
      [],
    );
    const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt });
    expect(letter?.replayedAt).toBeUndefined();
  });
});
