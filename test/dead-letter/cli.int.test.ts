// `dynotally dead-letters list | show | replay | drop` as a user runs it, on DynamoDB Local.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { runDynotally } from '../support/cli.ts';
import { ddbReady, scanTable, testClients } from '../support/ddb.ts';
import { Pipeline, type ShardStream } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

let pipeline: Pipeline;
let shard: ShardStream;
let dlq: string;
let flags: string[];

beforeAll(async () => {
  const endpoint = await ddbReady();
  pipeline = await Pipeline.create(clients, referenceRollups, 'dlcli');
  const t = Date.now() - 3_600_000;
  await pipeline.put({
    id: { S: 'j1' },
    type: { S: 'job' },
    customerId: { S: 'acme' },
    createdAt: { N: String(t) },
  });
  await pipeline.put({
    id: { S: 'j2' },
    type: { S: 'job' },
    customerId: { S: 'acme' },
    createdAt: { S: 'soon' },
  });
  shard = (await pipeline.readStream())[0] as ShardStream;
  dlq = await pipeline.newDeadLetterTable('dlq-cli');
  flags = ['--endpoint', endpoint, '--table', pipeline.aggregates, '--dead-letter-table', dlq];
  const sink = new DynamoDbDeadLetterSink(clients.ddb, dlq);
  await sink.send(
    shard.records.map((record: DynamoDBRecord, i) => ({
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      eventId: record.eventID,
      code: 'RETRIES_EXHAUSTED',
      reason: `failed ${i}`,
      record,
      at: Date.now() + i,
    })),
  );
});

/**
 * A dead-letter table of its own holding one `RETRIES_EXHAUSTED` letter of the shard's first record, dead-lettered
 * `ageMs` after the record was written, whose probe listed one row (`jobs#acme`, `sk`); returns the CLI's flags for it.
 */
async function oneLetter(name: string, ageMs: number, sk: string): Promise<string[]> {
  const record = shard.records[0] as DynamoDBRecord;
  const created = record.dynamodb?.ApproximateCreationDateTime as number;
  const table = await pipeline.newDeadLetterTable(name);
  await new DynamoDbDeadLetterSink(clients.ddb, table).send([
    {
      source: pipeline.streamArn,
      shardId: shard.shardId,
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      eventId: record.eventID,
      code: 'RETRIES_EXHAUSTED',
      reason: 'failed',
      record,
      at: created * 1000 + ageMs,
      pendingRows: [{ pk: 'jobs#acme', sk }],
    },
  ]);
  return ['--endpoint', await ddbReady(), '--table', pipeline.aggregates, '--dead-letter-table', table];
}

describe('dynotally dead-letters', () => {
  it('lists, shows, replays exactly once, reports what is still poison, and drops', async () => {
    const list = await runDynotally(['dead-letters', 'list', '--json', ...flags]);
    expect(list.code, list.stderr).toBe(0);
    const letters = JSON.parse(list.stdout).deadLetters as Array<{
      id: string;
      code: string;
      sequenceNumber: string;
    }>;
    expect(letters.map((l) => l.sequenceNumber)).toEqual(
      shard.records.map((r) => r.dynamodb?.SequenceNumber),
    );
    const good = letters[0] as { id: string };
    const bad = letters[1] as { id: string };

    const show = await runDynotally(['dead-letters', 'show', good.id, ...flags]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('RETRIES_EXHAUSTED');
    expect(show.stdout).toContain('every row the record touches');

    // the good one counts; the bad one is still poison: it stays with its new reason, exit 1
    const replay = await runDynotally(['dead-letters', 'replay', '--all', '--json', ...flags]);
    expect(replay.code).toBe(1);
    const outcomes = JSON.parse(replay.stdout).results as Array<{ id: string; outcome: string }>;
    expect(outcomes).toEqual([
      expect.objectContaining({ id: good.id, outcome: 'replayed' }),
      expect.objectContaining({ id: bad.id, outcome: 'still-poison' }),
    ]);
    expect(replay.stderr).toContain('DEAD_LETTER_NOT_REPLAYABLE');
    const total = await runDynotally([
      'query',
      'total',
      'jobs',
      '--group',
      'customerId=acme',
      '--last',
      '7d',
      '--json',
      ...flags,
    ]);
    expect(total.code, total.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(total.stdout))).toContain('1');

    const again = await runDynotally(['dead-letters', 'replay', good.id, ...flags]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already-replayed');

    const pending = await runDynotally(['dead-letters', 'list', '--json', ...flags]);
    const still = JSON.parse(pending.stdout).deadLetters as Array<{ id: string; code: string }>;
    // the letter keeps the code it was dead-lettered with (the replay's VALUE_INVALID is in the replay's result)
    expect(still.map((l) => [l.id, l.code])).toEqual([[bad.id, 'RETRIES_EXHAUSTED']]);

    const drop = await runDynotally(['dead-letters', 'drop', bad.id, good.id, ...flags]);
    expect(drop.code, drop.stderr).toBe(0);
    const none = await runDynotally(['dead-letters', 'list', '--all', ...flags]);
    expect(none.stdout).toContain('no dead letters');
  });

  it('refuses a letter whose record was over 24 h 30 min old when dead-lettered, and replays it with --late', async () => {
    // a shard blocked for two days: its letter's probe listed the rows without the shard's state
    const lateFlags = await oneLetter('dlq-cli-late', 2 * 86_400_000, 'H2099-01-01T00');
    const refused = await runDynotally(['dead-letters', 'replay', '--all', ...lateFlags]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('replay refused: the record was 172,800 s old');
    expect(refused.stderr).toContain('DEAD_LETTER_NOT_REPLAYABLE');
    expect(refused.stderr).toContain('then replay them with --late');
    const forced = await runDynotally(['dead-letters', 'replay', '--all', '--late', '--json', ...lateFlags]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).results).toEqual([expect.objectContaining({ outcome: 'replayed' })]);
  });

  it("takes the stream side's horizon from --max-record-age: a record 2 h old is late for a 1 h mapping only", async () => {
    const ageFlags = await oneLetter('dlq-cli-age', 2 * 3_600_000, 'H2099-01-01T01');
    const bad = await runDynotally([
      'dead-letters',
      'replay',
      '--all',
      '--max-record-age',
      'soon',
      ...ageFlags,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "--max-record-age 'soon' is not a MaximumRecordAge: write a duration from 60s to 7d",
    );
    // a mapping keeping records 1 h: its shard states go after 2 h, so a record 2 h old may be on rows already
    const refused = await runDynotally([
      'dead-letters',
      'replay',
      '--all',
      '--max-record-age',
      '1h',
      ...ageFlags,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('replay refused: the record was 7,200 s old');
    expect(refused.stderr).toContain('older than 1 h 30 min when dead-lettered');
    // the stream's 24 h retention (no flag): on time
    const replayed = await runDynotally(['dead-letters', 'replay', '--all', '--json', ...ageFlags]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout).results).toEqual([expect.objectContaining({ outcome: 'replayed' })]);
  });

  it('replays a MODIFY whose own delta needs more than 38 digits (old image out, new one in), and prints the codes', async () => {
    // a scan of 1e20 + 1 bytes (its INSERT's letter, replayed first), then its MODIFY to 1e-19: the difference, added
    // in one write, has 40 digits
    const image = (bytes: string) => ({
      id: { S: 's-big' },
      type: { S: 'scan' },
      projectId: { S: 'p-big' },
      scannedAt: { S: new Date().toISOString() },
      bytes: { N: bytes },
    });
    const change = (seq: string, oldBytes: string | undefined, newBytes: string) =>
      ({
        eventID: `big-${seq}`,
        eventName: oldBytes === undefined ? 'INSERT' : 'MODIFY',
        eventSource: 'aws:dynamodb',
        eventSourceARN: pipeline.streamArn,
        dynamodb: {
          Keys: { id: { S: 's-big' } },
          ...(oldBytes === undefined ? {} : { OldImage: image(oldBytes) }),
          NewImage: image(newBytes),
          SequenceNumber: seq,
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      }) as DynamoDBRecord;
    const letterOf = (record: DynamoDBRecord) => ({
      source: pipeline.streamArn,
      shardId: 'shard-big',
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      eventId: record.eventID,
      code: 'NUMBER_UNREPRESENTABLE',
      reason: 'refused',
      record,
      at: Date.now(),
    });
    const bad = shard.records[1] as DynamoDBRecord; // createdAt 'soon': still poison
    const table = await pipeline.newDeadLetterTable('dlq-cli-digits');
    await new DynamoDbDeadLetterSink(clients.ddb, table).send([
      letterOf(change('1', undefined, '100000000000000000001')),
      letterOf(change('2', '100000000000000000001', '0.0000000000000000001')),
      {
        source: pipeline.streamArn,
        shardId: shard.shardId,
        sequenceNumber: bad.dynamodb?.SequenceNumber ?? '',
        eventId: bad.eventID,
        code: 'RETRIES_EXHAUSTED',
        reason: 'failed',
        record: bad,
        at: Date.now(),
      },
    ]);
    const digitFlags = [
      '--endpoint',
      await ddbReady(),
      '--table',
      pipeline.aggregates,
      '--dead-letter-table',
      table,
    ];
    const run = await runDynotally(['dead-letters', 'replay', '--all', '--json', ...digitFlags]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('1 of 3 dead letters could not be replayed');
    const results = JSON.parse(run.stdout).results as Array<{ outcome: string; code?: string; rows: number }>;
    expect(results).toHaveLength(3);
    // the INSERT, then the MODIFY: its row taken down by 1e20 + 1 and then up by 1e-19 (in two transactions)
    expect(results.filter((r) => r.outcome === 'replayed').map((r) => r.rows)).toEqual([1, 1]);
    const rows = await scanTable(clients.ddb, pipeline.aggregates);
    const big = rows.filter((r) => r.pk?.S?.startsWith('scans#sp-big'));
    expect(big.map((r) => [r.scans?.N, r.bytes?.N])).toEqual([['1', '0.0000000000000000001']]);
    expect(results).toContainEqual(
      expect.objectContaining({ outcome: 'still-poison', code: 'VALUE_INVALID' }),
    );
    // as a table: the code beside the outcome; the poison letter stays
    const again = await runDynotally(['dead-letters', 'replay', '--all', ...digitFlags]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/still-poison +0 +VALUE_INVALID +/);
    expect(again.stdout).not.toContain('replayed');
  });

  it('refuses bad usage with exit 2 and one line', async () => {
    for (const args of [
      ['dead-letters', 'replay'],
      ['dead-letters', 'replay', '0123456789abcdef', '--all'],
      ['dead-letters', 'show', 'nope'],
      ['dead-letters', 'drop'],
    ]) {
      const run = await runDynotally([...args, ...flags]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await runDynotally(['dead-letters', 'show', '0123456789abcdef', ...flags]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DEAD_LETTER_NOT_FOUND');
  });
});
