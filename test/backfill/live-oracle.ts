// The oracle of a backfill under a live stream (backfill-live.property.int.test.ts): counts and sums equal to the
// final source items' (the rollups of live-rollups.ts), exactly; a max between the final items' and every
// state's. A max cannot be taken back, so a change the stream folds leaves its new value in the cell for good,
// while a change the hand-off skips (its image was already in what the scan counted) adds nothing: the cell holds
// at least the final items' largest value and at most the largest any item ever had there.
import { Decimal } from '../oracle/decimal.ts';
import { expectedCells, type Img } from '../support/pipeline.ts';
import { LIVE_SPECS } from './live-rollups.ts';

/** A cell that breaks the oracle: its value, and the exact value or the bounds it should have. */
export interface LiveDrift {
  key: string;
  actual?: string;
  expected?: string;
  atMost?: string;
}

const extremum = new Set(
  LIVE_SPECS.flatMap(({ rollup }) =>
    rollup.measures
      .filter((m) => m.kind !== 'count' && m.kind !== 'sum')
      .map((m) => `${rollup.name}|${m.name}`),
  ),
);
const isExtremum = (key: string) =>
  extremum.has(`${key.slice(0, key.indexOf('|'))}|${key.slice(key.lastIndexOf('|') + 1)}`);

/**
 * The cells of `actual` (canonical cells of the aggregate table) that break the oracle over the final items
 * `finals`, given every state any item had (`states`, the initial items' among them). Empty when exact.
 *
 * @example
 * ```ts
 * expect(liveDrift(await pipeline.canonical(), finals, writer.states)).toEqual([]);
 * ```
 */
export function liveDrift(
  actual: ReadonlyMap<string, string>,
  finals: readonly Img[],
  states: readonly Img[],
): LiveDrift[] {
  // counts and sums of the final items, and the largest of their values
  const exact = expectedCells(LIVE_SPECS, { finals: [...finals], retained: [], history: [...finals] });
  const upper = expectedCells(LIVE_SPECS, { finals: [], retained: [], history: [...states] });
  const out: LiveDrift[] = [];
  for (const key of new Set([...actual.keys(), ...exact.keys(), ...upper.keys()])) {
    const a = actual.get(key);
    const e = exact.get(key);
    const report = (): LiveDrift => ({
      key,
      ...(a === undefined ? {} : { actual: a }),
      ...(e === undefined ? {} : { expected: e }),
    });
    if (!isExtremum(key)) {
      if (a !== e) out.push(report());
      continue;
    }
    const u = upper.get(key);
    const within =
      a === undefined
        ? e === undefined
        : u !== undefined &&
          new Decimal(a).lte(new Decimal(u)) &&
          (e === undefined || new Decimal(a).gte(new Decimal(e)));
    if (!within) out.push({ ...report(), ...(u === undefined ? {} : { atMost: u }) });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : 1));
}
