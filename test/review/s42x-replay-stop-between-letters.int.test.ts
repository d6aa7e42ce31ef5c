// Review s42x (of s42l's dead letters at scale): `dead-letters replay --all` stopped on Ctrl-C only when a letter's
// result came back (its loop broke after `for await` yielded): while the keys of 100,000 letters were read, the first
// Ctrl-C was noted and a letter was still replayed after it; with `--rollup`, letters the filter leaves out were
// read one by one with no result, so Ctrl-C waited for the next letter of the rollup, or the end of the table.
// Fixed: `replayDeadLetterResults` takes a `signal` (replay.ts), checked between two letters and between two pages of
// the index (`replayIndex`, dead-letter-store.ts); the CLI aborts it on the first signal (dead-letters.ts).
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetterResults,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** A flusher's letter of a refused row: +1 to `n` of row `c#g<i>` / ALL. */
const letter = (i: number): DeadLetter => ({
  source: 'redis-flush:s42x',
  shardId: undefined,
  sequenceNumber: `1795352400000#c#g${i}#ALL`,
  eventId: undefined,
  code: 'ROW_REJECTED',
  reason: `refused row c#g${i}`,
  record: undefined,
  at: 1_795_352_400_000 + i,
  deltas: [{ pk: `c#g${i}`, sk: 'ALL', adds: [['n', '1']] }],
});

describe('review s42x: a replay stops between letters when its signal is aborted', () => {
  it('replays no letter once aborted, and stops after the letter being replayed when aborted during it', async () => {
    const dlq = uniqueTableName('s42x-dl');
    const agg = uniqueTableName('s42x-agg');
    await createDeadLetterTable(clients.ddb, dlq);
    await createAggregateTable(clients.ddb, agg);
    await new DynamoDbDeadLetterSink(clients.ddb, dlq).send([0, 1, 2, 3].map(letter));
    const options = {
      client: clients.ddb,
      deadLetterTable: dlq,
      table: agg,
      rollups: [],
      all: true,
    } as const;
    const n = async (i: number) =>
      (
        await clients.ddb.send(
          new GetItemCommand({ TableName: agg, Key: { pk: { S: `c#g${i}` }, sk: { S: 'ALL' } } }),
        )
      ).Item?.n?.N;

    // aborted before it starts (Ctrl-C while the keys were read): nothing replayed
    const before = new AbortController();
    before.abort();
    const none = [];
    for await (const r of replayDeadLetterResults({ ...options, signal: before.signal })) none.push(r);
    expect(none).toEqual([]);
    expect(await listDeadLetters({ client: clients.ddb, table: dlq, replayed: false })).toHaveLength(4);

    // aborted while the first letter is replayed: it finishes, no other starts
    const during = new AbortController();
    const done = [];
    for await (const r of replayDeadLetterResults({
      ...options,
      signal: during.signal,
      now: () => {
        during.abort(); // the first letter's replay reads its clock: Ctrl-C now
        return Date.now();
      },
    }))
      done.push(r);
    expect(done.map((r) => r.outcome)).toEqual(['replayed']);
    expect(await listDeadLetters({ client: clients.ddb, table: dlq, replayed: false })).toHaveLength(3);
    expect((await Promise.all([0, 1, 2, 3].map(n))).filter((x) => x === '1')).toHaveLength(1);

    // the rest, once
    const rest = [];
    for await (const r of replayDeadLetterResults(options)) rest.push(r.outcome);
    expect(rest).toEqual(['replayed', 'replayed', 'replayed']);
    expect(await Promise.all([0, 1, 2, 3].map(n))).toEqual(['1', '1', '1', '1']);
  });
});
