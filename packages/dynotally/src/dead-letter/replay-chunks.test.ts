import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fitsOneTransaction, TRANSACTION_BYTES_BUDGET } from '../apply/transaction-bytes.ts';
import { DYNAMO_LIMITS, WRITE_LIMITS } from '../layout/dynamo-limits.ts';
import { additionsFit } from '../layout/write-limits.ts';
import type { DeadLetterDelta } from './dead-letter.ts';
import { type ReplaySizes, replayChunks, replayCut, replayPlanDigest } from './replay-chunks.ts';
import { replayRowUpdate } from './replay-params.ts';

/** Row updates per replay transaction: DynamoDB's 100 items, the dead letter's marker being one. */
const ROWS_PER_TRANSACTION = 99;

const narrow = (i: number): DeadLetterDelta => ({
  pk: `jobs#sc-${String(i).padStart(4, '0')}`,
  sk: 'D2026-11-22',
  adds: [
    ['n', '1'],
    ['n_22', '1'],
  ],
});

/** A row of 10 measures at ['minute', 'hour']: 610 counters, as the flusher dead-lettered before 0.2.0. */
const wide = (pk: string, leaderboard = false): DeadLetterDelta => {
  const adds: Array<readonly [string, string]> = [];
  for (let m = 0; m < 10; m++) for (let c = 0; c <= 60; c++) adds.push([`measure${m}_${c}`, String(c + 1)]);
  return {
    pk,
    sk: 'H2025-11-22T08',
    adds,
    ttl: 1_800_000_000,
    leaderboard: leaderboard ? { key: 'wide#H#0', delta: '7' } : undefined,
  };
};

/** The chunk ids of the replay before rows were cut: index / chunks, and a hash of the chunk's row keys. */
const oldIds = (rows: readonly DeadLetterDelta[]): string[] => {
  const sorted = [...rows].sort((a, b) => (a.pk < b.pk || (a.pk === b.pk && a.sk < b.sk) ? -1 : 1));
  const n = Math.ceil(sorted.length / 99);
  return Array.from(
    { length: n },
    (_, c) =>
      `${c}/${n}:${createHash('sha256')
        .update(
          sorted
            .slice(c * 99, c * 99 + 99)
            .map((r) => `${r.pk}\n${r.sk}`)
            .join('\n'),
        )
        .digest('hex')
        .slice(0, 16)}`,
  );
};

describe('replayChunks', () => {
  it('derives the rows a transaction carries from DynamoDB’s 100 items, the marker being one', () => {
    const rows = Array.from({ length: DYNAMO_LIMITS.transactionItems }, (_, i) => narrow(i));
    expect(replayChunks(rows).map((c) => c.updates.length)).toEqual([ROWS_PER_TRANSACTION, 1]);
  });

  it('keeps a letter that fits one transaction as one unmarked chunk, rows as given', () => {
    const rows = [narrow(2), narrow(1)];
    expect(replayChunks(rows)).toEqual([{ id: undefined, updates: [narrow(1), narrow(2)] }]);
    expect(replayChunks([])).toEqual([{ id: undefined, updates: [] }]);
  });

  it('chunks more than 99 narrow rows exactly as before (same ids: a letter partly replayed resumes)', () => {
    const rows = Array.from({ length: 250 }, (_, i) => narrow(249 - i));
    const chunks = replayChunks(rows);
    expect(chunks.map((c) => c.updates.length)).toEqual([99, 99, 52]);
    expect(chunks.map((c) => c.id)).toEqual(oldIds(rows));
  });

  it('cuts a wide row into updates that each fit one write, every counter once, in separate transactions', () => {
    for (const lb of [false, true]) {
      const row = wide('wide#sg1', lb);
      const chunks = replayChunks([row, narrow(1)]);
      expect(chunks.length).toBe(7);
      const updates = chunks.flatMap((c) => c.updates.filter((u) => u.pk === row.pk));
      expect(updates.length).toBe(7);
      for (const u of updates) {
        const names = u.adds.map(([a]) => a);
        if (u.leaderboard !== undefined) names.push('lbv');
        expect(additionsFit(names)).toBe(true);
        const params = replayRowUpdate('aggregates', u, 1_700_000_000_000);
        expect(Buffer.byteLength(params.UpdateExpression ?? '')).toBeLessThanOrEqual(
          WRITE_LIMITS.expressionBytes,
        );
        expect(u.ttl).toBe(row.ttl);
      }
      expect(updates.flatMap((u) => u.adds).sort()).toEqual([...row.adds].sort());
      expect(updates.filter((u) => u.leaderboard !== undefined).map((u) => u.leaderboard)).toEqual(
        lb ? [row.leaderboard] : [],
      );
      for (const c of chunks) {
        expect(c.updates.length).toBeLessThanOrEqual(ROWS_PER_TRANSACTION);
        expect(new Set(c.updates.map((u) => `${u.pk}\n${u.sk}`)).size).toBe(c.updates.length);
      }
      const ids = chunks.map((c) => c.id);
      expect(ids.every((id) => id !== undefined)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      // the same rows in any order, counters in any order: the same chunks
      expect(replayChunks([narrow(1), { ...row, adds: [...row.adds].reverse() }])).toEqual(chunks);
    }
  });

  it('keeps the chunks of uncut rows and their ids, packs the further parts of wide rows after them', () => {
    const rows = [
      ...Array.from({ length: 200 }, (_, i) => narrow(i)),
      wide('zz#wide1'),
      wide('zz#wide2', true),
    ];
    const chunks = replayChunks(rows);
    // 202 rows: 99 + 99 + 4 (both wide rows' first parts in the third), then 6 chunks of their further parts
    expect(chunks.map((c) => c.updates.length)).toEqual([99, 99, 4, 2, 2, 2, 2, 2, 2]);
    expect(chunks.slice(0, 2).map((c) => c.id)).toEqual(oldIds(rows).slice(0, 2));
    expect(chunks[2]?.id).not.toBe(oldIds(rows)[2]);
    expect(chunks.slice(3).every((c) => c.id?.startsWith(`${chunks.indexOf(c)}/3+6:`))).toBe(true);
    const counters = chunks.flatMap((c) => c.updates.flatMap((u) => u.adds.map(([a]) => `${u.pk} ${a}`)));
    expect(counters.length).toBe(200 * 2 + 2 * 610);
    expect(new Set(counters).size).toBe(counters.length);
  });

  it('packs many wide rows into few transactions, never two parts of one row together', () => {
    const rows = Array.from({ length: 150 }, (_, i) => wide(`wide#${String(i).padStart(3, '0')}`));
    const chunks = replayChunks(rows);
    // 150 first parts in 2 chunks, then 6 further parts a row in 6 × 2 chunks of at most 99
    expect(chunks.length).toBe(2 + 12);
    for (const c of chunks) {
      expect(c.updates.length).toBeLessThanOrEqual(ROWS_PER_TRANSACTION);
      expect(new Set(c.updates.map((u) => u.pk)).size).toBe(c.updates.length);
    }
    expect(chunks.reduce((n, c) => n + c.updates.length, 0)).toBe(150 * 7);
  });
});

describe('replayChunks: older ids and repeated rows (session 15 review)', () => {
  const keysId = (c: number, n: number, rows: readonly DeadLetterDelta[]): string =>
    `${c}/${n}:${createHash('sha256')
      .update(rows.map((r) => `${r.pk}\n${r.sk}`).join('\n'))
      .digest('hex')
      .slice(0, 16)}`;

  it('gives no legacyId where no row is cut', () => {
    const chunks = replayChunks(Array.from({ length: 150 }, (_, i) => narrow(i)));
    expect(chunks.map((c) => c.legacyId)).toEqual([undefined, undefined]);
  });

  it("gives a first chunk holding a cut row the older release's id: its row keys alone", () => {
    const rows = [wide('jobs#a'), ...Array.from({ length: 99 }, (_, i) => narrow(i))];
    const chunks = replayChunks(rows);
    const sorted = [...rows].sort((a, b) => (a.pk < b.pk ? -1 : 1));
    expect(chunks[0]?.legacyId).toBe(keysId(0, 2, sorted.slice(0, 99)));
    expect(chunks[0]?.id).not.toBe(chunks[0]?.legacyId);
    expect(chunks[1]?.legacyId).toBeUndefined();
    expect(chunks[1]?.id).toBe(keysId(1, 2, sorted.slice(99)));
  });

  it('puts the second update of a row named twice in a later chunk, never beside the first', () => {
    const twice = { pk: 'jobs#r', sk: 'D1', adds: [['n', '2']] } as const;
    const chunks = replayChunks([{ pk: 'jobs#r', sk: 'D1', adds: [['n', '1']] }, narrow(1), twice]);
    expect(chunks).toHaveLength(2);
    for (const c of chunks) {
      const keys = c.updates.map((u) => `${u.pk}\n${u.sk}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(
      chunks.flatMap((c) => c.updates.filter((u) => u.pk === 'jobs#r').map((u) => u.adds[0]?.[1])),
    ).toEqual(['1', '2']);
  });
});

describe('replayChunks: cut by bytes too (DynamoDB refuses a transaction over 4 MB of items, Local does not)', () => {
  /** Rows under `big#` count at 400 KB (a row of unknown size), the others at a count per day's ~37 KB. */
  const sizes: ReplaySizes = {
    row: (u) => (u.pk.startsWith('big#') ? DYNAMO_LIMITS.itemBytes : 37_000),
    marker: () => 20_000,
  };
  const big = (i: number): DeadLetterDelta => ({ ...narrow(i), pk: `big#${String(i).padStart(4, '0')}` });
  const fits = (chunk: { updates: readonly DeadLetterDelta[] }): boolean =>
    fitsOneTransaction(
      chunk.updates.length + 1,
      chunk.updates.reduce((a, u) => a + sizes.row(u), sizes.marker(0)),
    );

  it('cuts rows of 400 KB 9 to a transaction with the letter, every transaction within the budget', () => {
    const rows = Array.from({ length: 20 }, (_, i) => big(i));
    const chunks = replayChunks(rows, sizes);
    expect(chunks.map((c) => c.updates.length)).toEqual([9, 9, 2]);
    expect(chunks.every(fits)).toBe(true);
    // by items alone (the cut before): one transaction of 20 rows, 8 MB
    const byItems = replayChunks(rows);
    expect(byItems).toHaveLength(1);
    expect(fits(byItems[0] as (typeof byItems)[number])).toBe(false);
    expect(20 * DYNAMO_LIMITS.itemBytes).toBeGreaterThan(TRANSACTION_BYTES_BUDGET);
  });

  it('cuts exactly as by items alone where the bytes never bind (same chunks, same ids)', () => {
    const rows = Array.from({ length: 250 }, (_, i) => narrow(249 - i));
    expect(replayChunks(rows, sizes)).toEqual(replayChunks(rows));
    expect(replayChunks(rows, sizes).map((c) => c.id)).toEqual(oldIds(rows));
  });

  it("puts a wide row's further parts in later transactions within the bytes too", () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ ...wide(`big#${i}`) }));
    const chunks = replayChunks(rows, sizes);
    expect(chunks.every(fits)).toBe(true);
    for (const c of chunks) expect(new Set(c.updates.map((u) => u.pk)).size).toBe(c.updates.length);
    expect(chunks.reduce((n, c) => n + c.updates.length, 0)).toBe(12 * 7);
    // 12 first parts in 2 chunks (9 + 3), then 6 further parts a row: the first 9 rows' in 6 chunks of 9, the
    // last 3 rows' after them (each part in the first later chunk with room after its part before)
    expect(chunks.map((c) => c.updates.length)).toEqual([9, 3, 9, 9, 9, 9, 9, 9, 3, 3, 3, 3, 3, 3]);
  });

  it("counts the letter's item in each transaction, given the updates in all", () => {
    const rows = Array.from({ length: 9 }, (_, i) => big(i));
    const seen: number[] = [];
    const marker = (n: number): number => {
      seen.push(n);
      return DYNAMO_LIMITS.itemBytes;
    };
    expect(replayChunks(rows, { ...sizes, marker }).map((c) => c.updates.length)).toEqual([8, 1]);
    expect(seen).toEqual([9]);
  });

  it('resumes a replay interrupted by a release that cut by items alone with that cut', () => {
    const rows = Array.from({ length: 120 }, (_, i) => big(i));
    const byItems = replayChunks(rows);
    const byBytes = replayChunks(rows, sizes);
    expect(byBytes.length).toBeGreaterThan(byItems.length);
    const first = byItems[0]?.id as string;
    // its first chunk committed, with the plan of its cut, or (older still) with no plan
    expect(
      replayCut(rows, sizes, { replayedChunks: [first], replayPlan: replayPlanDigest(byItems) }),
    ).toEqual(byItems);
    expect(replayCut(rows, sizes, { replayedChunks: [first], replayPlan: undefined })).toEqual(byItems);
    // a replay of this release, or none yet: the cut by bytes
    const mine = byBytes[0]?.id as string;
    expect(replayCut(rows, sizes, { replayedChunks: [], replayPlan: undefined })).toEqual(byBytes);
    expect(replayCut(rows, sizes, { replayedChunks: [mine], replayPlan: replayPlanDigest(byBytes) })).toEqual(
      byBytes,
    );
    expect(replayCut(rows, sizes, { replayedChunks: [mine], replayPlan: undefined })).toEqual(byBytes);
    // a plan of neither (other rollups since): the cut by bytes, which replay then refuses to resume
    expect(replayCut(rows, sizes, { replayedChunks: [first], replayPlan: 'other' })).toEqual(byBytes);
  });
});
