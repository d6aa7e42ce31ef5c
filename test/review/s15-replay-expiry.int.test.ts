// Session 15's second review of dead-letter replay in chunks (replay-chunks.ts): chunk ids "depend only on the
// rows", but a record letter's rows are planned with the replay's clock (planWrites drops a row past its TTL).
// A replay interrupted between two chunks, resumed after some of its rows' retention ran out (a minute bucket
// kept 1 day; letters are kept 14), plans fewer rows: the rows shift between chunks, every chunk id changes,
// and the chunks the first replay committed are sent again: their rows that are still live are counted twice.
// Fixed: replay plans a record's rows whatever their TTL (the same chunks and ids every time) and leaves the
// expired ones out when it sends a chunk. Before the fix this test failed: `view31#sred ALL n: expected '2'`.
import { describe, expect, it, vi } from 'vitest';
import { replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { scanTable } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';
import { fortyViews, halfReplayedLetter, T0 } from './half-replayed-letter.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const io = faultyTestClients();
const { clients } = io;

const DAY = 86_400_000;
/** 40 rollups whose one record makes more than 99 rows (two chunks), minute and hour rows kept a day. */
const ROLLUPS = fortyViews({ minute: '1d', hour: '1d' });

describe('a record letter replayed in chunks, resumed after some of its rows expired', () => {
  it('counts each live row once', async () => {
    // before the fix the second replay re-planned without the expired rows (80 of 120: one chunk, no id) and
    // added the live rows of the first replay's committed chunk again (n = 2)
    const { table, dlt } = await halfReplayedLetter('s15-expiry', ROLLUPS, io);
    const options = { deadLetterTable: dlt, table, rollups: ROLLUPS, all: true } as const;
    // the second, three days later: the minute rows are past their retention
    const now = T0 + 3 * DAY;
    const [result] = await replayDeadLetters({ ...options, client: clients.ddb, now: () => now });
    expect(result?.outcome).toBe('replayed');
    const live = (await scanTable(clients.ddb, table)).filter(
      (i) => !i.pk?.S?.startsWith('~') && (i.ttl?.N === undefined || Number(i.ttl.N) * 1000 > now),
    ); // rows only: not the rollup's retention history item
    expect(live.length).toBeGreaterThan(0);
    for (const row of live) {
      const counters = Object.entries(row).filter(([a]) => a.startsWith('n'));
      expect(counters.length, `${row.pk?.S} ${row.sk?.S}`).toBeGreaterThan(0);
      for (const [a, v] of counters) expect(v.N, `${row.pk?.S} ${row.sk?.S} ${a}`).toBe('1');
    }
  });
});
