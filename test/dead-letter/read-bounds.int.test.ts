// Dead letters at scale, what a review left (session 43): `dynotally dead-letters show <id>` scanned the keys of the
// whole dead-letter table to find one letter (the id is a hash of the key: it cannot give the key back), and
// `dead-letters list --limit 1` read the parts of every letter of its first page (100 items) to show one.
// Now each letter has an id entry (`idEntry`: its id to its key), so show, replay and drop by id read two items an
// id, whatever the table holds; `deadLetterPages({ limit })` reads no letter past the limit whole and scans no more
// items than it needs. The requests are counted by a proxy in front of DynamoDB Local (the real CLI process).
import { randomBytes } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  dropDeadLetters,
  getDeadLetters,
  letterId,
  letterKey,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { idEntryKey } from '../../packages/dynotally/src/dead-letter/letter-item.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { runDynotally } from '../support/cli.ts';
import { ddbReady, testClients, uniqueTableName } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const N = 120;

/** Every request the proxy forwarded to the dead-letter table: its operation and input. */
const seen: Array<{ operation: string; input: Record<string, unknown> }> = [];
let proxy: FaultProxy;
let dlq: string;
const letters: DeadLetter[] = [];

function letterOf(shardId: string, seq: string, blob?: string): DeadLetter {
  const record = {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: `j${seq}` } },
      NewImage: { id: { S: `j${seq}` }, ...(blob === undefined ? {} : { blob: { S: blob } }) },
      SequenceNumber: seq,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
  return {
    source: STREAM,
    shardId,
    sequenceNumber: seq,
    eventId: `e${seq}`,
    code: 'RETRIES_EXHAUSTED',
    reason: 'probe',
    record,
    at: 1,
  };
}

const idOf = (l: DeadLetter) => letterId(letterKey(l));
const toTable = () => seen.filter((r) => r.input.TableName === dlq);
const ops = () => toTable().map((r) => r.operation);
const cli = (args: string[]) =>
  runDynotally([...args, '--endpoint', proxy.endpoint, '--dead-letter-table', dlq]);

beforeAll(async () => {
  dlq = uniqueTableName('s43d-bounds');
  await createDeadLetterTable(clients.ddb, dlq);
  // two large letters first in their shard (2 parts each), 120 small ones, and two of other sequence lengths
  letters.push(letterOf('s1', '1', randomBytes(525_000).toString('base64')));
  letters.push(letterOf('s1', '2', randomBytes(525_000).toString('base64')));
  for (let i = 0; i < N; i++) letters.push(letterOf('s1', String(100_000 + i)));
  letters.push(letterOf('s2', '7'), letterOf('s2', '123456789012345'));
  await new DynamoDbDeadLetterSink(clients.ddb, dlq).send(letters);
  proxy = await startFaultProxy({
    target: await ddbReady(),
    onRequest: (operation, body) => {
      seen.push({ operation, input: JSON.parse(body.toString('utf8') || '{}') });
    },
  });
});
afterAll(async () => {
  await proxy?.close();
  clients.destroy();
});

describe('dead letters read by key, and only what is shown', () => {
  it('show <id> reads the id entry and the letter (and its parts), not the table', async () => {
    const small = letters[60] as DeadLetter;
    seen.length = 0;
    const run = await cli(['dead-letters', 'show', idOf(small)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`id          ${idOf(small)}`);
    expect(run.stdout).toContain(`sequence    ${small.sequenceNumber}`);
    // the entry and the letter: two items of 124 letters (and their 124 entries, 4 parts)
    expect(ops()).toEqual(['GetItem', 'GetItem']);

    const large = letters[1] as DeadLetter;
    seen.length = 0;
    const big = await cli(['dead-letters', 'show', idOf(large), '--json']);
    expect(big.code, big.stderr).toBe(0);
    expect(JSON.parse(big.stdout).record).toEqual(large.record);
    expect(ops()).toEqual(['GetItem', 'GetItem', 'GetItem', 'GetItem']); // entry, letter, its 2 parts
  });

  it('a dropped id is not found without a scan; an unknown id is a coded error', async () => {
    const store = { client: clients.ddb, table: dlq };
    const gone = letters[70] as DeadLetter;
    expect(await dropDeadLetters(store, [idOf(gone)])).toEqual([{ id: idOf(gone), outcome: 'dropped' }]);
    seen.length = 0;
    const dropped = await cli(['dead-letters', 'show', idOf(gone)]);
    expect(dropped.code).toBe(1);
    expect(dropped.stderr).toContain('DEAD_LETTER_NOT_FOUND');
    expect(ops()).toEqual(['GetItem', 'GetItem']); // the entry, the tombstone
    const unknown = await cli(['dead-letters', 'show', '0123456789abcdef']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('DEAD_LETTER_NOT_FOUND');
  });

  it('a letter without an id entry (stored before 0.2.0) is still found, by the scan of the keys', async () => {
    const legacy = letters[80] as DeadLetter;
    await clients.ddb.send(new DeleteItemCommand({ TableName: dlq, Key: idEntryKey(idOf(legacy)) }));
    const [found] = await getDeadLetters({ client: clients.ddb, table: dlq }, [idOf(legacy)]);
    expect(found?.sequenceNumber).toBe(legacy.sequenceNumber);
  });

  it('list --limit 1 reads the parts of no letter it does not show, and scans from one item up', async () => {
    seen.length = 0;
    const run = await cli(['dead-letters', 'list', '--limit', '1', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const shown: Array<{ id: string }> = JSON.parse(run.stdout).deadLetters;
    expect(shown).toHaveLength(1);
    const large = new Set([idOf(letters[0] as DeadLetter), idOf(letters[1] as DeadLetter)]);
    const scans = toTable().filter((r) => r.operation === 'Scan');
    const gets = toTable().filter((r) => r.operation === 'GetItem');
    // parts read: the shown letter's only (2 when it is a large one, else none)
    expect(gets).toHaveLength(large.has(shown[0]?.id as string) ? 2 : 0);
    // each request asks for the letters still wanted, doubled after a request that fell short (ids, parts)
    expect(scans[0]?.input.Limit).toBe(1);
    scans.forEach((s, i) => {
      expect(s.input.Limit).toBe(Math.min(100, 2 ** i));
    });
  });

  it('list shows sequence numbers right-aligned', async () => {
    const run = await cli(['dead-letters', 'list', '--all', '--page-size', '1000']); // one batch: one width
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const header = lines[0] as string;
    const end = header.indexOf('SEQUENCE') + 'SEQUENCE'.length;
    const rows = lines.filter((l) => /^[0-9a-f]{16} /.test(l));
    expect(rows.length).toBe(N + 3); // one dropped
    const ends = new Set<number>();
    for (const seq of ['7', '123456789012345', '100001', '2']) {
      const row = rows.find((r) => new RegExp(` ${seq}  `).test(r)) as string;
      ends.add(row.indexOf(` ${seq}  `) + 1 + seq.length);
    }
    // every sequence number ends where the column does, as its header
    expect([...ends]).toEqual([end]);
  });
});
