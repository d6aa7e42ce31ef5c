// Review s24c (Lambda handler path): createStreamHandler accepts `deadLetter: { table }` without checking the name.
// deploy.md's handler (and the versions example there) is written `deadLetter: { table: process.env.DEAD_LETTER_TABLE! }`;
// a function deployed without the construct (SAM, Terraform, a zip: deploy.md links the bundling steps for those) whose
// environment lacks the variable hands the handler `{ table: undefined }` (or `''`). Nothing checks it when the handler
// is made (DESIGN.md: "Bad configuration fails at definition time, not at 3 a.m. in the handler"), and nothing shows it
// until the first poison record arrives, perhaps weeks later: the built-in Applier sends a batch's fold poison to the
// sink before it writes any row, the PutItem without a table name is refused (a ValidationException, not retried), and
// the handler reports the batch's first record on every delivery. The shard stalls for MaximumRecordAgeInSeconds (24 h
// by default), then Lambda skips the whole batch, with its good records, to the on-failure destination (metadata only).
// The same happens with `table: ''`.
// Scenario: rollup `n` (count per group, all time); `deadLetter: { table: process.env.DEAD_LETTER_TABLE! }` with the
// variable unset; a batch of an INSERT of group g and an INSERT without its image (IMAGE_MISSING), delivered 3 times.
// Observed: createStreamHandler returns a handler; every delivery answers batchItemFailures [first record]; group g is
// never counted (no row).
// Expected: createStreamHandler throws CONFIG_INVALID ("deadLetter.table is undefined: name the dead-letter table …"),
// as for any option it can check without I/O; or, if it cannot refuse, the batch is applied and the poison logged.
// Suggested fix: in createStreamHandler (and wherever a `{ table }` sink is built: the worker, replay), refuse a
// `deadLetter.table` (and the Applier's `table`, equally unchecked) that is not a non-empty string, with CONFIG_INVALID;
// deploy.md's examples could also drop the `!` and rely on the DEAD_LETTER_TABLE default the handler already reads.
// Severity: blocked shard for 24 h, then the poison's whole batch lost (misconfiguration found only at run time).
// Fixed in session 24: the DynamoDB dead-letter sink checks its table name when it is made (`checkTableName`: 3 to 255
// of a-z, A-Z, 0-9, _, . and -, or a table ARN), and so does the Applier its `table`: CONFIG_INVALID.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const n = defineRollup({ name: 'n', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/src/stream/2026-01-01T00:00:00.000';
const record = (seq: string, image: boolean): DynamoDBRecord =>
  ({
    eventID: seq,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: ARN,
    dynamodb: {
      SequenceNumber: seq,
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { id: { S: `i${seq}` } },
      ...(image ? { NewImage: { id: { S: `i${seq}` }, g: { S: 'g' } } } : {}),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  }) as DynamoDBRecord;
// the good record first: Lambda resumes at the first record reported, so every redelivery is the same batch
const event = {
  Records: [record('100000000000000000001', true), record('100000000000000000002', false)],
  shardId: 'shardId-00000001700000000000-aaaaaaaa',
  eventSourceARN: ARN,
  window: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:01Z' },
  state: {},
};

describe.each([
  ['unset variable', undefined],
  ['empty name', ''],
])('a handler given deadLetter: { table } with no table name (%s)', (_label, name) => {
  it('is refused when it is made (CONFIG_INVALID), not when the first poison arrives', () => {
    let error: unknown;
    try {
      createStreamHandler({
        rollups: [n],
        client: clients.ddb,
        table: 'aggregates',
        logger: silent,
        deadLetter: { table: name as unknown as string },
      });
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'CONFIG_INVALID')).toBe(true);
  });

  it('or else still applies the batch around a poison record', async () => {
    const table = uniqueTableName('s24c-dlname');
    await createAggregateTable(clients.ddb, table);
    let handler: ReturnType<typeof createStreamHandler>;
    try {
      handler = createStreamHandler({
        rollups: [n],
        client: clients.ddb,
        table,
        logger: silent,
        deadLetter: { table: name as unknown as string },
      });
    } catch (e) {
      if (isDynotallyError(e, 'CONFIG_INVALID')) return; // the fix: refused at creation
      throw e;
    }
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await handler(event));
    // observed: every delivery answers [{ itemIdentifier: '100000000000000000001' }] and no row is written
    expect(answers[0]?.batchItemFailures).toEqual([]);
    const rows = await scanTable(clients.ddb, table);
    expect(rows.find((r) => r.pk?.S?.startsWith('n#'))?.n?.N).toBe('1');
  });
});
