// Session 15's second review of dead-letter replay in chunks (replay-chunks.ts): chunk ids are positions in the
// sorted rows plus a hash of each chunk's row keys, so they are stable only while the replay plans the same rows.
// A replay interrupted between two chunks, then resumed by a process with one more rollup (the fixed rollups of a
// later deploy: replay folds the record with the rollups it is given, and a poison letter has no pendingRows to
// narrow them), plans rows that shift every chunk: no id matched, and the rows of the chunk the first replay
// committed were added again (n = 2). docs/dead-letters.md asks for the same rollups, and nothing checked it.
// Fixed: each chunk's marker records the digest of the whole cut (replayPlan); a replay that would cut the letter
// otherwise is refused (outcome 'failed', nothing sent), and finishes with the first replay's rollups.
import { describe, expect, it, vi } from 'vitest';
import { replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { scanTable } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';
import { fortyViews, halfReplayedLetter, T0, teamView } from './half-replayed-letter.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const io = faultyTestClients();
const { clients } = io;

/** 40 rollups whose one record makes more than 99 rows: the letter is replayed in two chunks. */
const ROLLUPS = fortyViews();
/** The same rollups and one more, whose rows sort first. */
const MORE = [teamView('aaa'), ...ROLLUPS];

describe('a record letter replayed in chunks, resumed with one more rollup', () => {
  // failed before the cut was recorded: the second replay's chunks had other ids, and the first replay's
  // committed rows were added again (n = 2)
  it("is refused, counts the first replay's rows once, and finishes with the first replay's rollups", async () => {
    const { table, dlt } = await halfReplayedLetter('s15-rollups', ROLLUPS, io);
    const options = { deadLetterTable: dlt, table, all: true, now: () => T0 + 3_600_000 } as const;
    const counted = async () => {
      const out = new Map<string, string | undefined>();
      for (const row of await scanTable(clients.ddb, table))
        for (const [a, v] of Object.entries(row))
          if (a.startsWith('n')) out.set(`${row.pk?.S} ${row.sk?.S} ${a}`, v.N);
      return out;
    };
    const before = await counted();
    expect(before.size).toBeGreaterThan(0);

    const [refused] = await replayDeadLetters({ ...options, rollups: MORE, client: clients.ddb });
    expect(refused?.outcome).toBe('failed');
    expect(refused?.reason).toMatch(/cut from other rows than the rollups given now make/);
    expect(await counted()).toEqual(before); // nothing sent

    const [result] = await replayDeadLetters({ ...options, rollups: ROLLUPS, client: clients.ddb });
    expect(result?.outcome).toBe('replayed');
    const after = await counted();
    expect(after.size).toBeGreaterThan(120);
    for (const [cell, n] of after) {
      expect(n, cell).toBe('1');
      expect(cell.startsWith('aaa#'), cell).toBe(false);
    }
  });
});
