// Source writes for the property of a backfill under a live stream (backfill-live.property.int.test.ts): items
// the rollups of live-rollups.ts count or leave out (no group, no type), always timed and with
// values every fold accepts (so no record or scanned item is dead-lettered and the final items say every count),
// some nested 31 maps deep (the rollup with a callback keeps whole items in its claims: such an item's is spilled),
// and writes that hit the hand-off's edges: an item put whole, one attribute changed (its group, its time, its
// amount, or only an attribute no rollup reads: a MODIFY whose projected images are equal), an attribute removed,
// the item deleted, put back as it was before its last change (an image the scan may have claimed coming round
// again: after a delete that is an INSERT of it), or changed twice in a row.
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import type { Img, Pipeline } from '../support/pipeline.ts';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });

// a few times, so items share rows (Kathmandu's hour and day, St John's month), and one across St John's DST end
const TIMES = [
  Date.UTC(2026, 10, 1, 3, 10),
  Date.UTC(2026, 10, 1, 3, 50),
  Date.UTC(2026, 10, 1, 4, 29, 59, 999),
  Date.UTC(2026, 10, 2, 3, 0),
  Date.UTC(2026, 11, 31, 23, 59, 59, 999),
];
const timeArb = fc.constantFrom(...TIMES);
const groupArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<AttributeValue | undefined>(S('a'), S('b'), N('1')) },
  { weight: 2, arbitrary: fc.constant(undefined) },
);
const amountArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -20, max: 300 }).map((n) => N(String(n))) },
  { weight: 1, arbitrary: fc.constantFrom<AttributeValue | undefined>(N('0.25'), N('-0.5'), undefined) },
);
const typeArb = fc.constantFrom<AttributeValue | undefined>(S('order'), S('order'), S('view'), undefined);

/** A map attribute nested `levels` maps deep around `leaf` (31: the deepest DynamoDB takes at the top level). */
const nested = (levels: number, leaf: string): AttributeValue =>
  levels === 0 ? S(leaf) : { M: { a: nested(levels - 1, leaf) } };
/** Mostly absent; else 31 maps deep: a claim keeping the whole item would nest past 32 levels (spilled). */
const deepArb = fc.constantFrom<AttributeValue | undefined>(
  undefined,
  undefined,
  nested(31, 'a'),
  nested(31, 'b'),
);

/** An item's attributes (without its id): `t` and `ts` always there, the rest may be missing. */
export const liveItemArb: fc.Arbitrary<Img> = fc
  .record({
    g: groupArb,
    t: timeArb,
    ts: timeArb,
    amount: amountArb,
    type: typeArb,
    x: fc.constantFrom<AttributeValue | undefined>(undefined, S('1')),
    deep: deepArb,
  })
  .map(({ t, ts, ...rest }) => {
    const img: Img = { t: N(String(t)), ts: S(new Date(ts).toISOString()) };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) img[k] = v;
    return img;
  });

/** One change of an attribute: set to a value, or removed (never `t` or `ts`: every item stays timed). */
const changeArb: fc.Arbitrary<{ set: Img; remove: string[] }> = fc.oneof(
  liveItemArb.map((i) => ({ set: { g: i.g ?? S('b') }, remove: [] })),
  timeArb.map((t) => ({ set: { t: N(String(t)) }, remove: [] })),
  timeArb.map((t) => ({ set: { ts: S(new Date(t).toISOString()) }, remove: [] })),
  amountArb.map((a) => ({ set: { amount: a ?? N('7') }, remove: [] })),
  fc.integer({ min: 0, max: 1e6 }).map((n) => ({ set: { x: N(String(n)) }, remove: [] })),
  deepArb.map((d) => ({ set: { deep: d ?? nested(31, 'c') }, remove: [] })),
  fc.constantFrom('g', 'amount', 'type', 'deep').map((a) => ({ set: {}, remove: [a] })),
);

/** A write to the source. */
export type LiveOp =
  | { kind: 'put'; key: number; item: Img }
  | { kind: 'update'; key: number; change: { set: Img; remove: string[] }; item: Img }
  | { kind: 'delete'; key: number }
  | { kind: 'revert'; key: number }
  | { kind: 'twice'; key: number; first: { set: Img; remove: string[] }; second: Img };

/** Writes over `keys` keys. */
export const liveOpArb = (keys: number): fc.Arbitrary<LiveOp> => {
  const key = fc.integer({ min: 0, max: keys - 1 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), key, item: liveItemArb }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('update' as const),
        key,
        change: changeArb,
        item: liveItemArb,
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('revert' as const), key }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('twice' as const),
        key,
        first: changeArb,
        second: liveItemArb,
      }),
    },
  );
};

/**
 * Applies writes to a pipeline's source table and remembers every state an item ever had (the bounds of a max:
 * at least the final items', at most every state's).
 *
 * @example
 * ```ts
 * const writer = new LiveWriter(pipeline);
 * await writer.apply({ kind: 'delete', key: 3 });
 * writer.states; // every image written so far
 * ```
 */
export class LiveWriter {
  /** Every image an item has had, in the order written. */
  readonly states: Img[] = [];
  /** The stream records the writes made: one for each that changed an item (an unchanged put makes none). */
  records = 0;
  private readonly before = new Map<string, Img | undefined>();

  constructor(private readonly pipeline: Pipeline) {}

  async apply(op: LiveOp): Promise<void> {
    const id = `k${op.key}`;
    const current = this.pipeline.items.get(id);
    switch (op.kind) {
      case 'put':
        return this.put(id, current, { id: S(id), ...op.item });
      case 'update':
        return current === undefined
          ? this.put(id, current, { id: S(id), ...op.item })
          : this.update(id, current, op.change);
      case 'delete':
        if (current === undefined) return;
        return this.remove(id, current);
      case 'revert': {
        if (!this.before.has(id)) return;
        const was = this.before.get(id);
        if (was === undefined) return current === undefined ? undefined : this.remove(id, current);
        return this.put(id, current, was);
      }
      case 'twice':
        if (current === undefined) await this.put(id, current, { id: S(id), ...op.second });
        else await this.update(id, current, op.first);
        return this.put(id, this.pipeline.items.get(id), { id: S(id), ...op.second });
    }
  }

  private async put(id: string, current: Img | undefined, item: Img): Promise<void> {
    this.before.set(id, current);
    await this.pipeline.put(item);
    this.changed(current, item);
  }

  private async update(id: string, current: Img, change: { set: Img; remove: string[] }): Promise<void> {
    this.before.set(id, current);
    await this.pipeline.update(id, change.set, change.remove);
    this.changed(current, this.pipeline.items.get(id) as Img);
  }

  private async remove(id: string, current: Img): Promise<void> {
    this.before.set(id, current);
    await this.pipeline.remove(id);
    this.records++;
  }

  private changed(before: Img | undefined, after: Img): void {
    this.states.push(after);
    if (before === undefined || canonical(before) !== canonical(after)) this.records++;
  }
}

/** An image as text, attribute order left out. */
const canonical = (img: Img): string =>
  JSON.stringify(Object.entries(img).sort(([a], [b]) => (a < b ? -1 : 1)));
