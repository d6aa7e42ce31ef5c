// An in-memory aggregate table that applies write plans with DynamoDB's semantics for ADD and for the
// conditional SETs of min / max / last. Used by the pure property tests.

import type { CompiledRollup } from '../../packages/dynotally/src/definition/index.ts';
import { explodeRow } from '../../packages/dynotally/src/layout/explode-row.ts';
import { parsePartitionKey } from '../../packages/dynotally/src/layout/group-key.ts';
import { toDynamoN } from '../../packages/dynotally/src/numbers/index.ts';
import type { WritePlan } from '../../packages/dynotally/src/plan/index.ts';
import { Decimal } from './decimal.ts';
import { cellKey, groupId } from './oracle.ts';

type Val = Decimal | string | boolean;

export class MemoryStore {
  readonly rows = new Map<string, Record<string, Val>>();
  writes = 0;

  private row(pk: string, sk: string): Record<string, Val> {
    const k = `${pk}\u0000${sk}`;
    let r = this.rows.get(k);
    if (!r) {
      r = { pk, sk };
      this.rows.set(k, r);
    }
    return r;
  }

  apply(plan: WritePlan): void {
    for (const w of plan.rows) {
      this.writes++;
      const r = this.row(w.pk, w.sk);
      for (const [attr, d] of w.adds) {
        const cur = r[attr];
        // the text a request carries for the delta (toDynamoN), not the value's own rendering: what the store adds
        r[attr] = (cur instanceof Decimal ? cur : new Decimal(0)).plus(new Decimal(toDynamoN(d)));
      }
    }
    for (const e of plan.extrema) {
      this.writes++;
      const r = this.row(e.pk, e.sk);
      const v: Val =
        typeof e.value === 'string' || typeof e.value === 'boolean' ? e.value : new Decimal(String(e.value));
      const cur = r[e.attr];
      if (e.op === 'last') {
        const tAttr = `${e.attr}_t`;
        const ct = r[tAttr] as Decimal | undefined;
        const t = new Decimal(e.time);
        if (ct === undefined || ct.lt(t) || (ct.eq(t) && cmp(cur as Val, v) < 0)) {
          r[e.attr] = v;
          r[tAttr] = t;
        }
      } else if (cur === undefined || (e.op === 'min' ? cmp(cur, v) > 0 : cmp(cur, v) < 0)) r[e.attr] = v;
    }
  }

  /** Canonical cells (same keys as the oracle), zeros dropped. */
  canonical(rollups: readonly CompiledRollup[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.rows.values()) {
      const { rollup, values } = parsePartitionKey(String(r.pk));
      const c = rollups.find((x) => x.name === rollup);
      if (!c) throw new Error(`row of unknown rollup ${rollup}`);
      for (const { ref, value } of explodeRow(c, String(r.sk), r)) {
        const m = c.measures.find((x) => x.name === ref.measure)!;
        const s = value instanceof Decimal ? value.toString() : String(value);
        if (m.additive && value instanceof Decimal && value.isZero()) continue;
        out.set(cellKey(rollup, groupId(values), ref.granularity, ref.bucket, ref.measure), s);
      }
    }
    return out;
  }
}

function cmp(a: Val, b: Val): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
