// A batch too wide for one write per row, for the applier's tests: 5 counters at ['minute', 'hour'] over an hour of
// two groups, so an hour row gathers up to 305 counters (a record adds 10), past the 100 one write carries.
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { insertRecords } from './insert-record.ts';

/**
 * The rollup: 5 counters at minute and hour (the minutes packed in the hour row).
 *
 * @example
 * ```ts
 * new Applier({ client, table, rollups: [wideRollup] });
 * ```
 */
export const wideRollup = defineRollup({
  name: 'wide',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['minute', 'hour'],
  measures: {
    readings: count(),
    energyImported: sum('v'),
    energyExported: sum('w'),
    reactivePower: sum('x'),
    apparentPower: sum('y'),
  },
});

/** The hour the records fall in (epoch ms). */
export const HOUR = Date.UTC(2025, 10, 22, 8);
/** A clock for the applier: the end of that hour. */
export const NOW = HOUR + 3_600_000;

/**
 * Three records a minute for an hour (g1, g2, g1), 180 in all, sequence numbers from 1001.
 *
 * @example
 * ```ts
 * await applier.apply({ records: hourOfRecords(), shardId: 'shardId-1' });
 * ```
 */
export function hourOfRecords(): DynamoDBRecord[] {
  const insert = insertRecords();
  const out: DynamoDBRecord[] = [];
  for (let m = 0; m < 60; m++)
    for (const g of ['g1', 'g2', 'g1']) {
      const r = insert(`${g}-${m}-${out.length}`, {
        g: { S: g },
        v: { N: String(m + 1) },
        w: { N: '0.5' },
        x: { N: String(m % 7) },
        y: { N: '2' },
      });
      (r.dynamodb?.NewImage as Record<string, { N: string }>).t = { N: String(HOUR + m * 60_000 + 1000) };
      out.push(r);
    }
  return out;
}

/**
 * Every counter of every row (by partition key: one hour row a group), from the records alone.
 *
 * @example
 * ```ts
 * expect(await stored(table)).toEqual(expectedCounters(records));
 * ```
 */
export function expectedCounters(records: readonly DynamoDBRecord[]): Record<string, Record<string, number>> {
  const rows: Record<string, Record<string, number>> = {};
  for (const r of records) {
    const img = r.dynamodb?.NewImage as Record<string, { S?: string; N?: string }>;
    const key = `wide#s${img.g?.S}`;
    const minute = (Number(img.t?.N) - HOUR) / 60_000;
    const row = rows[key] ?? {};
    rows[key] = row;
    const add = (name: string, v: number) => {
      for (const a of [name, `${name}_${Math.floor(minute)}`]) row[a] = (row[a] ?? 0) + v;
    };
    add('readings', 1);
    add('energyImported', Number(img.v?.N));
    add('energyExported', Number(img.w?.N));
    add('reactivePower', Number(img.x?.N));
    add('apparentPower', Number(img.y?.N));
  }
  // a counter that sums to zero is never written
  for (const row of Object.values(rows)) for (const [a, v] of Object.entries(row)) if (v === 0) delete row[a];
  return rows;
}
