import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cut, cutsArb, opsArb } from '../../../../test/support/arbitraries.ts';
import { simulate } from '../../../../test/support/stream-sim.ts';
import { testRollups } from '../../../../test/support/test-rollups.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import { Folder, foldBatch } from '../fold/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import { planWrites, type RowWrite } from '../plan/index.ts';
import { encodeCells } from './encode-cells.ts';
import { bucketId, bucketMarker, parseCellField } from './keys.ts';
import { rowsFromCells } from './rows-from-cells.ts';

/** Decodes the write script's cell list back into per-bucket, per-pk cells (what Redis ends up holding). */
function decode(args: readonly string[]) {
  const buckets = new Map<
    number,
    { width: number; cells: Map<string, Record<string, string>>; ranked: Array<[string, string, string]> }
  >();
  let i = 0;
  const nb = Number(args[i++]);
  for (let k = 0; k < nb; k++) {
    const id = Number(args[i++]);
    const width = Number(args[i++]);
    const cells = new Map<string, Record<string, string>>();
    const npk = Number(args[i++]);
    for (let p = 0; p < npk; p++) {
      const pk = args[i++] as string;
      const nf = Number(args[i++]);
      const byField = cells.get(pk) ?? {};
      for (let f = 0; f < nf; f++) {
        byField[args[i] as string] = args[i + 1] as string;
        i += 2;
      }
      cells.set(pk, byField);
    }
    const ranked: Array<[string, string, string]> = [];
    const nr = Number(args[i++]);
    for (let r = 0; r < nr; r++, i += 3)
      ranked.push([args[i] as string, args[i + 1] as string, args[i + 2] as string]);
    buckets.set(id, { width, cells, ranked });
  }
  expect(i).toBe(args.length);
  return buckets;
}

const normalize = (rows: readonly RowWrite[]) =>
  rows
    .map((r) => ({
      pk: r.pk,
      sk: r.sk,
      adds: r.adds.map(([a, v]) => [a, toDynamoN(v)]),
      ttl: r.ttl,
      lb: r.leaderboard && { key: r.leaderboard.key, delta: toDynamoN(r.leaderboard.delta) },
    }))
    .sort((a, b) => (`${a.pk}|${a.sk}` < `${b.pk}|${b.sk}` ? -1 : 1));

describe('buffer cells', () => {
  it('a plan encoded for Redis and rebuilt by the flusher is the same plan (attributes, TTL, leaderboard)', () => {
    const { compiled } = testRollups('Europe/London');
    const byName = new Map(compiled.map((c) => [c.name, c]));
    fc.assert(
      fc.property(opsArb(), cutsArb(30), (ops, cuts) => {
        const sim = simulate(ops);
        const folder = new Folder(compiled);
        for (const batch of cut(sim.records, cuts)) {
          const plan = planWrites(foldBatch(compiled, batch, { folder }).coalescer, { now: 0 });
          const now = Date.UTC(2026, 10, 22, 13, 7);
          const { args, cells, ranked, buckets } = encodeCells(plan.rows, now, {
            bucketMs: 900_000,
            rowBucketMs: { month: 3_600_000, all: 3_600_000 },
          });
          const decoded = decode(args);
          expect([...decoded.keys()]).toEqual(buckets);
          expect(cells).toBe(plan.rows.reduce((n, r) => n + r.adds.length, 0));
          expect(ranked).toBe(plan.rows.filter((r) => r.leaderboard !== undefined).length);
          const rebuilt: RowWrite[] = [];
          for (const [id, bucket] of decoded) {
            // month and all rows close with the hour, everything else with the quarter hour
            for (const [pk, byField] of bucket.cells) {
              for (const field of Object.keys(byField)) {
                const kind = field[0] === 'M' || field[0] === 'A' ? 'coarse' : 'fine';
                expect(id, field).toBe(
                  kind === 'coarse' ? Date.UTC(2026, 10, 22, 14) : Date.UTC(2026, 10, 22, 13, 15),
                );
              }
              rebuilt.push(...rowsFromCells(byName, pk, byField, 0).rows);
            }
            for (const [rk, pk, delta] of bucket.ranked) {
              const row = plan.rows.find((r) => r.pk === pk && rk === `${r.rollup}|${r.sk}`);
              expect(row?.leaderboard && toDynamoN(row.leaderboard.delta)).toBe(delta);
            }
          }
          expect(normalize(rebuilt)).toEqual(normalize(plan.rows));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rows past retention at flush time are dropped, never resurrected', () => {
    const r = defineRollup({
      name: 'r',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['minute', 'hour'],
      retention: { minute: '1d', hour: '1d' },
      measures: { n: count(), s: sum('x') },
    });
    const byName = new Map([[r.name, r.compiled]]);
    const cells = { 'H2026-11-22T13:00|n': '2', 'H2026-11-22T13:00|n_5': '2' };
    expect(rowsFromCells(byName, 'r#sa', cells, Date.UTC(2026, 10, 22, 15)).rows).toHaveLength(1);
    expect(rowsFromCells(byName, 'r#sa', cells, Date.UTC(2026, 10, 24)).expired).toBe(1);
    // a rollup the flusher was not given (removed while buffered): every row unplaced, never thrown (review s41r)
    const gone = rowsFromCells(byName, 'other#sa', cells, 0);
    expect(gone.rows).toEqual([]);
    expect(gone.unplaced.map((u) => [u.sk, u.removed, u.adds.length])).toEqual([
      ['H2026-11-22T13:00', true, 2],
    ]);
  });

  it('cells of a row kind the rollup no longer has come back unplaced, the rest as rows', () => {
    const r = defineRollup({
      name: 'r',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { n: count() },
    });
    const byName = new Map([[r.name, r.compiled]]);
    // a day cell packed in a month row, buffered under ['day', 'all']
    const out = rowsFromCells(byName, 'r#sa', { 'M2026-11|n_22': '3', 'ALL|n': '4' }, 0);
    expect(out.rows.map((w) => w.sk)).toEqual(['ALL']);
    expect(out.unplaced.map((u) => ({ sk: u.sk, adds: u.adds.map(([a, v]) => [a, v.toString()]) }))).toEqual([
      { sk: 'M2026-11', adds: [['n_22', '3']] },
    ]);
  });

  it('keys: markers sort like bucket ids, a bucket is named by the instant it closes, cell fields split at the first bar', () => {
    fc.assert(
      fc.property(fc.nat({ max: 9_999_999_999_999 }), fc.nat({ max: 9_999_999_999_999 }), (a, b) => {
        expect(bucketMarker(a) < bucketMarker(b)).toBe(a < b);
      }),
    );
    expect(bucketId(Date.UTC(2026, 10, 22, 13, 7, 5), 15 * 60_000)).toBe(Date.UTC(2026, 10, 22, 13, 15));
    expect(bucketId(Date.UTC(2026, 10, 22, 13, 15), 15 * 60_000)).toBe(Date.UTC(2026, 10, 22, 13, 30));
    expect(parseCellField('M2026-11|orders_22')).toEqual({ sk: 'M2026-11', attr: 'orders_22' });
  });

  it('a coalesced delta past 38 digits is sent exactly, never thrown (the write script checks the sums)', () => {
    const r = defineRollup({
      name: 'r',
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['all'],
      measures: { s: sum('x') },
    });
    const now = Date.UTC(2026, 10, 22, 12);
    const record = (seq: number, x: string) => ({
      eventID: `e${seq}`,
      eventName: 'INSERT' as const,
      dynamodb: {
        NewImage: { g: { S: 'a' }, t: { N: String(now) }, x: { N: x } },
        SequenceNumber: String(seq),
        ApproximateCreationDateTime: now / 1000,
      },
    });
    const fold = foldBatch([r.compiled], [record(1, '1e20'), record(2, '1e-19')], { shardId: 's' });
    const rows = planWrites(fold.coalescer, { now }).rows;
    expect(() => toDynamoN(rows[0]?.adds[0]?.[1] as never)).toThrow(/does not fit/);
    const { args } = encodeCells(rows, now, { bucketMs: 60_000 });
    expect(args).toContain('100000000000000000000.0000000000000000001');
  });
});
