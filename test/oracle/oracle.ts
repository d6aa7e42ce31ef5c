// Brute-force oracle: recompute every aggregate from the final source items (and, for monotone measures,
// the history of images), with Temporal for calendars and decimal.js for sums. Independent of src/fold,
// src/plan and src/layout.
import type { AttributeValue } from 'aws-lambda';
import { Decimal } from './decimal.ts';
import { referenceLabel } from './reference-buckets.ts';

export type Img = Record<string, AttributeValue>;

export interface OracleMeasure {
  name: string;
  kind: 'count' | 'sum' | 'min' | 'max' | 'last';
  attribute?: string;
  /** equality filter on string attributes */
  where?: Record<string, string>;
  granularities?: string[];
}

export interface OracleRollup {
  name: string;
  match?: Record<string, string>;
  groupBy: string[];
  timeAttr?: string;
  zone: string;
  granularities: string[];
  measures: OracleMeasure[];
  ttlDeletes: 'subtract' | 'ignore';
}

/** A group identity independent of the library's key encoding: JSON of typed values. */
export function groupId(
  values: ReadonlyArray<string | number | boolean | bigint | Decimal | { readonly N: string }>,
): string {
  return JSON.stringify(
    values.map((v) =>
      typeof v === 'string' || typeof v === 'boolean'
        ? [typeof v, v]
        : [
            'number',
            new Decimal(typeof v === 'object' && !(v instanceof Decimal) ? v.N : v.toString()).toString(),
          ],
    ),
  );
}

function scalar(v: AttributeValue | undefined): string | boolean | Decimal | undefined {
  if (v === undefined) return undefined;
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return new Decimal(v.N); // exact: numbers beyond 2^53 are distinct groups
  if (v.BOOL !== undefined) return v.BOOL;
  return undefined;
}

function matches(img: Img, where: Record<string, string> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => img[k]?.S === v);
}

function member(r: OracleRollup, img: Img): { group: string; time: number } | undefined {
  if (!matches(img, r.match)) return undefined;
  const values: Array<string | number | boolean | Decimal> = [];
  for (const a of r.groupBy) {
    const v = scalar(img[a]);
    if (v === undefined) return undefined;
    values.push(v);
  }
  const tv = r.timeAttr ? img[r.timeAttr]?.N : undefined;
  if (tv === undefined) throw new Error('oracle: test items always carry their time attribute');
  return { group: groupId(values), time: Number(tv) };
}

/** Canonical key: rollup|group|granularity|bucket|measure. */
export const cellKey = (rollup: string, group: string, g: string, bucket: string, measure: string) =>
  `${rollup}|${group}|${g}|${bucket}|${measure}`;

/**
 * Expected aggregates. `finals`: final source items; `retained`: images removed by TTL (counted by rollups
 * whose policy is 'ignore'); `history`: every new image ever written in order (for min/max/last).
 */
export function oracle(
  rollups: OracleRollup[],
  finals: Img[],
  retained: Img[],
  history: Img[],
): Map<string, string> {
  const out = new Map<string, Decimal | { v: Decimal | string | number | boolean; t: number }>();
  for (const r of rollups) {
    const live = r.ttlDeletes === 'ignore' ? [...finals, ...retained] : finals;
    for (const img of live) {
      const mem = member(r, img);
      if (!mem) continue;
      for (const m of r.measures) {
        if (m.kind !== 'count' && m.kind !== 'sum') continue;
        if (!matches(img, m.where)) continue;
        let v: Decimal;
        if (m.kind === 'count') v = new Decimal(1);
        else {
          const n = img[m.attribute as string]?.N;
          if (n === undefined) continue;
          v = new Decimal(n);
        }
        for (const g of m.granularities ?? r.granularities) {
          const k = cellKey(r.name, mem.group, g, referenceLabel(g, r.zone, mem.time), m.name);
          const cur = out.get(k) as Decimal | undefined;
          out.set(k, cur ? cur.plus(v) : v);
        }
      }
    }
    for (const img of history) {
      const mem = member(r, img);
      if (!mem) continue;
      for (const m of r.measures) {
        if (m.kind === 'count' || m.kind === 'sum') continue;
        if (!matches(img, m.where)) continue;
        const raw = img[m.attribute as string];
        const v = raw?.N !== undefined ? new Decimal(raw.N) : scalar(raw);
        if (v === undefined) continue;
        for (const g of m.granularities ?? r.granularities) {
          const k = cellKey(r.name, mem.group, g, referenceLabel(g, r.zone, mem.time), m.name);
          const cur = out.get(k) as { v: Decimal | string | number | boolean; t: number } | undefined;
          const wins =
            cur === undefined ||
            (m.kind === 'min' && cmp(v, cur.v) < 0) ||
            (m.kind === 'max' && cmp(v, cur.v) > 0) ||
            (m.kind === 'last' && (mem.time > cur.t || (mem.time === cur.t && cmp(v, cur.v) > 0)));
          if (wins) out.set(k, { v, t: mem.time });
        }
      }
    }
  }
  const result = new Map<string, string>();
  for (const [k, v] of out) {
    if (v instanceof Decimal) {
      if (!v.isZero()) result.set(k, v.toString());
    } else result.set(k, v.v instanceof Decimal ? v.v.toString() : String(v.v));
  }
  return result;
}

function cmp(a: Decimal | string | number | boolean, b: Decimal | string | number | boolean): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  // two types: booleans below numbers below strings (the library's order for a tie of `last`)
  const rank = (x: unknown) => (typeof x === 'boolean' ? 0 : typeof x === 'string' ? 2 : 1);
  if (rank(a) !== rank(b)) return Math.sign(rank(a) - rank(b));
  // strings as DynamoDB orders them: by their UTF-8 bytes (booleans: 'false' before 'true' either way)
  return Math.sign(Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8')));
}
