// `--accept-expired-history-loss` through the built bin, on DynamoDB Local. A rollup with `ttlDeletes: 'ignore'`
// keeps counting items DynamoDB's TTL deleted, which no scan sees: `verify` checks its counts as lower bounds and
// leaves its sums unverified; `verify --repair` and `backfill` of it are refused (BACKFILL_REFUSED, naming the
// flag, nothing registered) while a version serves, and run with the flag. Bad uses: the flag on `verify`
// without `--repair` does nothing, so it is a usage error (exit 2); on a rollup that subtracts TTL deletes it
// changes nothing, so the run goes on with a note on stderr. A dry run says the real run would be refused.
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTables } from '../../../../test/support/cli.ts';
import { cliProject, removeCliProjects, runBuiltCli } from '../../../../test/support/cli-project.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { count, defineRollup, sum } from '../../../dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
  createSourceTable,
} from '../../../dynotally/src/tables/index.ts';
import {
  createVersionedWriteSide,
  readControl,
  registerVersions,
} from '../../../dynotally/src/versions/index.ts';

const T0 = Date.UTC(2026, 10, 1);

/** The rollups of the config: `sessions` ignores TTL deletes, `plain` (the same otherwise) subtracts them. */
const rollupsTs = (granularities: string) => `import { count, defineRollup, sum } from 'dynotally';
import { defineConfig } from 'dynotally-cli';
const base = {
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ${granularities},
  measures: { n: count(), minutes: sum('minutes') },
} as const;
export const sessions = defineRollup({ name: 'sessions', ...base, ttlDeletes: 'ignore' });
export const plain = defineRollup({ name: 'plain', ...base });
export default defineConfig({ rollups: [sessions, plain] });
`;
/** `sessions` as the config defines it (the stream side's definition: the fingerprints match). */
const sessions = defineRollup({
  name: 'sessions',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), minutes: sum('minutes') },
  ttlDeletes: 'ignore',
});
const plain = defineRollup({
  name: 'plain',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), minutes: sum('minutes') },
});

const session = (i: number): Record<string, AttributeValue> => ({
  id: { S: `s-${i}` },
  storeId: { S: 'st-0' },
  t: { N: String(T0 + i) },
  minutes: { N: String(10 + i) },
});

/** A stream record of session `i`: its INSERT, or its REMOVE by DynamoDB's TTL. */
function record(i: number, kind: 'INSERT' | 'TTL'): DynamoDBRecord {
  const image = session(i) as never;
  return {
    eventID: `e${i}-${kind}`,
    eventName: kind === 'INSERT' ? 'INSERT' : 'REMOVE',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/s',
    ...(kind === 'TTL' ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb: {
      Keys: { id: { S: `s-${i}` } },
      ...(kind === 'INSERT' ? { NewImage: image } : { OldImage: image }),
      SequenceNumber: String((kind === 'INSERT' ? 100 : 200) + i),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

describe('--accept-expired-history-loss through the bin', () => {
  const clients = testClients();
  const { tables, flags: flagsFor } = cliTables('aeh');
  const claims = uniqueTableName('aeh-claims');
  let work: string[] = [];
  let dir = '';
  let changed = '';
  const run = (args: string[], cwd = dir) => runBuiltCli(cwd, [...args, ...work]);

  /** The serving version of `sessions` and its count of store st-0. */
  const serving = async (): Promise<{ version: number | undefined; n: string | undefined }> => {
    const control = await readControl(clients.ddb, tables.aggregate, 'sessions');
    const version = control?.serving;
    const pk = version === 1 ? 'sessions#sst-0' : `sessions.v${version}#sst-0`;
    const rows = await scanTable(clients.ddb, tables.aggregate);
    return { version, n: rows.find((r) => r.pk?.S === pk && r.sk?.S === 'ALL')?.n?.N };
  };

  beforeAll(async () => {
    const endpoint = await ddbReady();
    work = [...flagsFor(endpoint), '--claim-table', claims, '--settle', '0s'];
    await Promise.all([
      createSourceTable(clients.ddb, tables.source, { id: 'S' }),
      createAggregateTable(clients.ddb, tables.aggregate),
      createDeadLetterTable(clients.ddb, tables.deadLetter),
      createClaimTable(clients.ddb, claims),
    ]);
    dir = cliProject('aeh', { 'dynotally.config.ts': rollupsTs("['all']") });
    changed = cliProject('aeh-changed', { 'dynotally.config.ts': rollupsTs("['all', 'day']") });
    // five sessions counted by the stream side (version 1 serves), then session 0 deleted by DynamoDB's TTL:
    // 'ignore' keeps it counted, and the source holds four
    for (const i of [0, 1, 2, 3, 4])
      await clients.ddb.send(new PutItemCommand({ TableName: tables.source, Item: session(i) }));
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: tables.aggregate,
      claimTable: claims,
      rollups: [sessions],
    });
    await side.apply({ records: [0, 1, 2, 3, 4].map((i) => record(i, 'INSERT')), shardId: 'shard-1' });
    await clients.ddb.send(new DeleteItemCommand({ TableName: tables.source, Key: { id: { S: 's-0' } } }));
    await side.apply({ records: [record(0, 'TTL')], shardId: 'shard-1' });
    expect(await serving()).toEqual({ version: 1, n: '5' });
  }, 300_000);
  afterAll(() => {
    clients.destroy();
    removeCliProjects();
  });

  it('verifies counts as lower bounds and leaves sums unverified', { timeout: 300_000 }, async () => {
    const json = await run(['verify', 'sessions', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { drift: unknown[]; unverified: number; version: number };
    // stored 5 ≥ recomputed 4: the expired session is history, not drift; its minutes cannot be checked
    expect(report).toMatchObject({ drift: [], unverified: 1, version: 1 });
    const human = await run(['verify', 'sessions']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(
      "0 drifted, 0 settled (in flight), 1 unverified (sums of a rollup with ttlDeletes 'ignore'",
    );
  });

  it('refuses verify --accept-expired-history-loss without --repair (exit 2)', {
    timeout: 300_000,
  }, async () => {
    const bad = await run(['verify', 'sessions', '--accept-expired-history-loss']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[CONFIG_INVALID] --accept-expired-history-loss goes with --repair');
    expect(bad.stdout).toBe('');
  });

  it('refuses verify --repair without the flag, and repairs with it', { timeout: 300_000 }, async () => {
    // a count below what the source gives is drift even as a lower bound
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: tables.aggregate,
        Key: { pk: { S: 'sessions#sst-0' }, sk: { S: 'ALL' } },
        UpdateExpression: 'SET n = :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    const refused = await run(['verify', 'sessions', '--repair']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[BACKFILL_REFUSED]');
    expect(refused.stderr).toContain('--accept-expired-history-loss');
    // the drift the verify found is printed all the same: stored 1, recomputed 4
    expect(refused.stdout).toContain('1 drifted');
    expect(refused.stdout).toMatch(/^storeId=st-0\s+ALL\s+n\s+4\s+1$/m);
    // refused before anything was registered
    const control = await readControl(clients.ddb, tables.aggregate, 'sessions');
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([[1, 'serving']]);

    const repaired = await run(['verify', 'sessions', '--repair', '--accept-expired-history-loss']);
    expect(repaired.code).toBe(1); // the drift it found
    expect(repaired.stderr).toContain('[DRIFT_FOUND]');
    expect(repaired.stdout).toContain('repair: rebuilt from the source as version 2');
    expect(repaired.stdout).toContain('which now serves; version 1 is retired');
    // the rebuild counts the sessions the source holds: the expired one's history is gone, as accepted
    expect(await serving()).toEqual({ version: 2, n: '4' });
    const clean = await run(['verify', 'sessions', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
  });

  it('refuses a backfill of a changed definition without the flag, and builds it with it', {
    timeout: 300_000,
  }, async () => {
    // the dry run says what the real run would do
    const dry = await run(['backfill', 'sessions', '--register', '--dry-run', '--json'], changed);
    expect(dry.code, dry.stderr).toBe(0);
    // the library's dry run reports the refusal the real run meets first (before, the CLI re-derived it)
    expect(JSON.parse(dry.stdout).refused).toMatch(
      /^\[BACKFILL_REFUSED\] rollup 'sessions' has ttlDeletes: 'ignore', so version 2, which serves/,
    );
    const dryHuman = await run(['backfill', 'sessions', '--register', '--dry-run'], changed);
    expect(dryHuman.stdout).toContain('  refused    a real run refuses it: [BACKFILL_REFUSED] rollup');
    expect(dryHuman.stdout).toContain('--accept-expired-history-loss');
    const accepted = await run(
      ['backfill', 'sessions', '--register', '--dry-run', '--json', '--accept-expired-history-loss'],
      changed,
    );
    expect(JSON.parse(accepted.stdout).refused).toBeUndefined();

    const refused = await run(['backfill', 'sessions', '--register'], changed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[BACKFILL_REFUSED]');
    expect(refused.stderr).toContain(
      "rollup 'sessions' has ttlDeletes: 'ignore', so version 2, which serves",
    );
    expect(refused.stderr).toContain('--accept-expired-history-loss');
    const control = await readControl(clients.ddb, tables.aggregate, 'sessions');
    expect(control?.versions.map((v) => v.version)).toEqual([1, 2]);

    const built = await run(
      ['backfill', 'sessions', '--register', '--promote', '--accept-expired-history-loss'],
      changed,
    );
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain('backfill sessions version 3: complete');
    expect(built.stdout).toContain('version 3 serves reads');
    expect(built.stderr).not.toContain('changes nothing');
    expect(await serving()).toEqual({ version: 3, n: '4' });
  });

  it('notes that the flag changes nothing for a rollup that subtracts TTL deletes, and runs', {
    timeout: 300_000,
  }, async () => {
    // a new rollup over the existing table, deployed building
    await registerVersions(clients.ddb, tables.aggregate, [plain.compiled], { firstVersion: 'building' });
    const built = await run(['backfill', 'plain', '--promote', '--accept-expired-history-loss']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toContain(
      "backfill: --accept-expired-history-loss changes nothing for rollup 'plain': its ttlDeletes is 'subtract'",
    );
    expect(built.stdout).toContain('backfill plain version 1: complete');
    const verified = await run(['verify', 'plain', '--repair', '--accept-expired-history-loss', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain(
      "verify: --accept-expired-history-loss changes nothing for rollup 'plain'",
    );
    expect(JSON.parse(verified.stdout).drift).toEqual([]);
  });
});
