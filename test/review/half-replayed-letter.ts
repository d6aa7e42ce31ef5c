// A record whose dead letter is replayed in two chunks (40 rollups of 4 granularities make more than 99 rows),
// and a replay of it interrupted between the two, for the tests of what a later replay does with such a letter.

import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { expect } from 'vitest';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import {
  type DeadLetter,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, type Granularity, sum } from '../../packages/dynotally/src/definition/index.ts';
import { recordRetention } from '../../packages/dynotally/src/retention/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import type { TestClients } from '../support/ddb.ts';
import { uniqueTableName } from '../support/ddb.ts';
import type { Faults } from '../support/faults.ts';

/** How long rows of some granularities are kept (`defineRollup`'s `retention`). */
type Retention = Readonly<Partial<Record<Granularity, string>>>;

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
/** The record's event time. */
export const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

/**
 * A rollup of the record's team: a count and a sum at minute, hour, day and all time (4 rows, 2 counters each).
 *
 * @example
 * ```ts
 * const rollups = Array.from({ length: 40 }, (_, i) => teamView(`view${i}`));
 * ```
 */
export function teamView(name: string, retention?: Retention) {
  return defineRollup({
    name,
    groupBy: 'team',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', 'hour', 'day', 'all'],
    ...(retention === undefined ? {} : { retention }),
    measures: { n: count(), amount: sum('amount') },
  });
}

/**
 * 40 {@link teamView}s, `view00` … `view39`: the record makes 160 rows, replayed in two chunks.
 *
 * @example
 * ```ts
 * const rollups = fortyViews({ minute: '1d' });
 * ```
 */
export function fortyViews(retention?: Retention) {
  return Array.from({ length: 40 }, (_, i) => teamView(`view${String(i).padStart(2, '0')}`, retention));
}

function insert(): DynamoDBRecord {
  const image: Record<string, AttributeValue> = {
    id: { S: 'job-1' },
    team: { S: 'red' },
    amount: { N: '3' },
    t: { N: String(T0) },
  };
  return {
    eventID: 'e1',
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM,
    dynamodb: {
      Keys: { id: { S: 'job-1' } },
      NewImage: image,
      SequenceNumber: '1001',
      ApproximateCreationDateTime: T0 / 1000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/**
 * Fresh aggregate and dead-letter tables holding the record's dead letter after a replay by `rollups` (an hour
 * after the record) committed its first chunk and died before the second (a crash injected through `faults`,
 * which are healed after).
 *
 * @example
 * ```ts
 * const { table, dlt } = await halfReplayedLetter('s15-x', fortyViews(), { clients, faulty, faults });
 * ```
 */
export async function halfReplayedLetter(
  name: string,
  rollups: readonly RollupLike[],
  io: { clients: TestClients; faulty: TestClients; faults: Faults },
): Promise<{ table: string; dlt: string }> {
  const { clients, faulty, faults } = io;
  const table = uniqueTableName(name);
  const dlt = uniqueTableName(`${name}-dl`);
  await createAggregateTable(clients.ddb, table);
  await createDeadLetterTable(clients.ddb, dlt);
  const letter: DeadLetter = {
    source: STREAM,
    shardId: 'shardId-1',
    sequenceNumber: '1001',
    eventId: 'e1',
    code: 'VALUE_INVALID',
    reason: 'a bug of the rollups, fixed since',
    record: insert(),
    at: T0,
  };
  await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
  // the rollups' retention history recorded first (as a running stream side has): the replay then finds it fresh
  // and writes none, so the crash below still falls on its second transaction
  for (const r of rollups) {
    const c = 'compiled' in r ? r.compiled : r;
    await recordRetention(clients.ddb, table, c.name, c.retentionMs, T0 + 3_600_000);
  }
  faults.crashFrom(2);
  await expect(
    replayDeadLetters({
      deadLetterTable: dlt,
      table,
      rollups,
      all: true,
      client: faulty.ddb,
      now: () => T0 + 3_600_000,
    }),
  ).rejects.toThrow(/injected crash/);
  faults.heal();
  expect((await listDeadLetters({ client: clients.ddb, table: dlt }))[0]?.replayedChunks).toHaveLength(1);
  return { table, dlt };
}
