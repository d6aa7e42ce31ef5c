// Shared by the one-record transaction tests: 13 rollups of 4 row kinds over one team attribute (a move of an item
// between teams touches 104 rows), and a made-up stream of INSERT and MODIFY records.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { scanTable } from '../support/ddb.ts';

const STREAM = 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000';
const GRANULARITIES = ['minute', '5m', '15m', 'hour', 'day', 'week', 'month', 'year', 'all'] as const;
/** 12 counting rollups. */
export const VIEWS = Array.from({ length: 12 }, (_, i) =>
  defineRollup({
    name: `view${i}`,
    groupBy: 'team',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: [...GRANULARITIES],
    measures: { n: count() },
  }),
);
/** Last of the rollups (its rows go in the record's last part): counts and sums `amount`. */
export const AMOUNTS = defineRollup({
  name: 'amounts',
  groupBy: 'team',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: [...GRANULARITIES],
  measures: { n: count(), total: sum('amount') },
});
/** The 13 rollups, `amounts` last. */
export const ROLLUPS = [...VIEWS, AMOUNTS];
/** Row kinds of each rollup. */
export const ROWS_PER_GROUP = 4;

/**
 * Records of one made-up stream, sequence numbers counting up from 1001: `insert` an item of a team, `move` one
 * from a team to another.
 *
 * @example
 * ```ts
 * const s = teamStream();
 * const batch = [s.insert('a', 'red'), s.move('a', 'red', 'blue')];
 * ```
 */
export function teamStream() {
  let seq = 1000;
  const record = (
    kind: 'INSERT' | 'MODIFY',
    id: string,
    images: { old?: Record<string, AttributeValue>; new: Record<string, AttributeValue> },
  ): DynamoDBRecord => {
    seq += 1;
    const base = { id: { S: id }, t: { N: '1763800000000' } };
    return {
      eventID: `e${seq}`,
      eventName: kind,
      eventSource: 'aws:dynamodb',
      eventSourceARN: STREAM,
      dynamodb: {
        Keys: { id: { S: id } },
        ...(images.old === undefined ? {} : { OldImage: { ...base, ...images.old } }),
        NewImage: { ...base, ...images.new },
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: 1_763_800_000,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  };
  return {
    insert: (id: string, team: string, amount = '1') =>
      record('INSERT', id, { new: { team: { S: team }, amount: { N: amount } } }),
    move: (id: string, from: string, to: string, amount = '1') =>
      record('MODIFY', id, {
        old: { team: { S: from }, amount: { N: amount } },
        new: { team: { S: to }, amount: { N: amount } },
      }),
  };
}

/**
 * The distinct `n` counter values per partition (`rollup#group`), over every cell of every row kind: one value
 * when all agree (`'3'`), else all of them (`'2 / 3'`).
 *
 * @example
 * ```ts
 * expect(await countsByPartition(client, table)).toMatchObject({ 'view0#sblue': '3' });
 * ```
 */
export async function countsByPartition(
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, string>> {
  const out: Record<string, Set<string>> = {};
  for (const item of await scanTable(client, table)) {
    const pk = item.pk?.S ?? '';
    if (pk.startsWith('~')) continue;
    for (const [attr, v] of Object.entries(item)) {
      if (v.N === undefined || !(attr === 'n' || attr.startsWith('n_') || attr.endsWith('|n'))) continue;
      const set = out[pk] ?? new Set<string>();
      set.add(v.N);
      out[pk] = set;
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, s]) => [k, [...s].sort().join(' / ')]));
}
