// Review s33d (CLI): `dynotally scenario run` writes synthetic demo events into whatever source table the settings
// name, on whatever endpoint (AWS included), with no confirmation.
// scenario-run.ts:40-53 takes settings.tables.source (--source-table, DYNOTALLY_SOURCE_TABLE, or the config file's
// tables.source) and makeClients(settings) (AWS's credential chain when the endpoint is not loopback, or no endpoint
// at all), then inserts, modifies and deletes generated items keyed `pk`/`sk` (`job#<customer>` …) — the key names
// of most single-table designs. Run in a project whose dynotally.config.ts names the production source table and
// region (the normal set-up for `dynotally worker`/`query`), `dynotally scenario run all` (the docs' demo
// command, minus --endpoint) pours fake jobs, scans, favourites, meter readings and orders into the production
// table, where the stream and every consumer of that table — the deployed rollups first — count them.
// Observed (here a pk/sk "orders" table on DynamoDB Local reached through a non-loopback address, so the CLI treats
// it as a remote DynamoDB): exit 0, and after 2 s at 50 events/s the table holds ~88 generated items beside the one
// real order.
// Expected: against a non-loopback endpoint (or AWS) the command refuses (CONFIG_INVALID, exit 2) unless the user
// confirms the target, e.g. with --yes / --i-know-this-writes-to <table>, and writes nothing.
// Fixed (helper-152): scenario-run.ts refuses a non-loopback endpoint (or none) unless --yes-write-to names the source
// table (scenario-target.ts), and prints the table and endpoint before writing.
// Suggested fix: in scenario-run.ts (and dev's generators, which use local credentials only, so are safe), refuse
// when !isLoopbackEndpoint(settings.endpoint) unless a confirmation flag names the table; print the table and endpoint.

import { networkInterfaces } from 'node:os';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createSourceTable } from '../../packages/dynotally/src/tables/index.ts';
import { runCli } from '../../packages/dynotally-cli/src/cli/run-cli.ts';
import { ddbReady, uniqueTableName } from '../support/ddb.ts';
import { fakeIo } from '../support/fake-io.ts';

/** A non-loopback IPv4 address of this machine: DynamoDB Local answers on it, and the CLI sees a remote endpoint. */
const lan = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

describe.skipIf(lan === undefined)('scenario run against a remote endpoint', () => {
  const table = uniqueTableName('s33d-orders');
  let client: DynamoDBClient;
  let remote = '';
  const saved = { ...process.env };
  beforeAll(async () => {
    const endpoint = await ddbReady();
    client = new DynamoDBClient(localClientConfig(endpoint));
    remote = endpoint.replace('127.0.0.1', lan as string);
    await createSourceTable(client, table, { pk: 'S', sk: 'S' }); // pk/sk with a NEW_AND_OLD_IMAGES stream: a typical source table
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'order#1' }, sk: { S: 'a real order' }, total: { N: '42' } },
      }),
    );
    // the credential chain a remote endpoint uses (DynamoDB Local takes any)
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'prodlike', AWS_SECRET_ACCESS_KEY: 'prodlike' });
  });
  afterAll(() => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    client?.destroy();
  });

  // Defect: synthetic events go into the named (production-like) source table without any confirmation.
  it('refuses to write demo events into a remote table without confirmation, and writes none', async () => {
    const io = fakeIo({ env: { AWS_REGION: 'eu-west-1' } });
    const code = await runCli(
      [
        'scenario',
        'run',
        's0',
        '--rate',
        '50',
        '--duration',
        '2s',
        '--source-table',
        table,
        '--endpoint',
        remote,
      ],
      io,
    );
    const items = (await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count;
    expect(items).toBe(1);
    expect(code).toBe(2);
    expect(io.err).toContain('[CONFIG_INVALID]');
    expect(io.err).toContain(`--yes-write-to ${table}`);
  });

  it('refuses a --yes-write-to that names another table, and writes none', async () => {
    const io = fakeIo({ env: { AWS_REGION: 'eu-west-1' } });
    const code = await runCli(
      ['scenario', 'run', 's0', '--rate', '50', '--duration', '1s', '--source-table', table].concat([
        '--endpoint',
        remote,
        '--yes-write-to',
        'dynotally-source',
      ]),
      io,
    );
    const items = (await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count;
    expect(items).toBe(1);
    expect(code).toBe(2);
  });

  it('writes once --yes-write-to names the table, and says where first', async () => {
    const io = fakeIo({ env: { AWS_REGION: 'eu-west-1' } });
    const code = await runCli(
      ['scenario', 'run', 's0', '--rate', '20', '--duration', '1s', '--source-table', table].concat([
        '--endpoint',
        remote,
        '--yes-write-to',
        table,
      ]),
      io,
    );
    expect(code).toBe(0);
    expect(io.err).toContain(`table '${table}' at ${remote}`);
    const items = (await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count;
    expect(items).toBeGreaterThan(1);
  });
});
