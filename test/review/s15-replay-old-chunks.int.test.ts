// Session 15's second review of wide-row dead-letter replay (2af882c, 2f54f1a): a letter partly replayed by the
// release before it must resume without counting anything twice (replay-chunks.ts says "a letter partly
// replayed by an older version resumes where it stopped").
//
// The older release sent every row whole, one `UpdateItem` per row, 99 rows and the letter's marker
// `<c>/<chunks>:<hash of the row keys>` per transaction. A row of 101 to about 300 counters, or of fewer counters
// with long names, fits that one `UpdateItem` (its `UpdateExpression` uses `#aN :vN` placeholders, about 14
// characters a counter, within 4 KB) but not `additionsFit` (100 counters, or their PartiQL text within 6 KB),
// so this release cuts it, and the id of the chunk holding its first part hashes its attribute names too: the
// older release's mark on that chunk is no longer recognised, and its 99 rows are added a second time.
import { createHash } from 'node:crypto';
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  type DeadLetterDelta,
  DynamoDbDeadLetterSink,
  listDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  replayMarkerUpdate,
  replayRowUpdate,
} from '../../packages/dynotally/src/dead-letter/replay-params.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { replayDeltaLetters } from '../dead-letter/replay-flusher-letters.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** A row the older release wrote whole: 150 short counters, or 40 counters with 80-character names. */
function wideRow(kind: 'many' | 'long'): DeadLetterDelta {
  const n = kind === 'many' ? 150 : 40;
  const name = (i: number): string =>
    kind === 'many' ? `m${i}` : `${'m'.repeat(76)}${String(i).padStart(4, '0')}`;
  return {
    pk: 'a#wide',
    sk: 'D2026-12-03',
    adds: Array.from({ length: n }, (_, i) => [name(i), String(i + 1)] as const),
  };
}

/** The wide row first (it sorts first) and 99 narrow rows: two transactions for the older release. */
function lettersRows(kind: 'many' | 'long'): DeadLetterDelta[] {
  return [
    wideRow(kind),
    ...Array.from(
      { length: 99 },
      (_, i): DeadLetterDelta => ({
        pk: `b#${String(i).padStart(3, '0')}`,
        sk: 'D2026-12-03',
        adds: [['n', String(i + 1)]],
      }),
    ),
  ];
}

/** What the older release's replay sent first (replay.ts before 2f54f1a): the first 99 sorted rows whole. */
async function olderReleaseFirstTransaction(
  table: string,
  dlt: string,
  rows: DeadLetterDelta[],
): Promise<void> {
  const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt });
  if (letter === undefined) throw new Error('no letter');
  const sorted = [...rows].sort((a, b) => (a.pk < b.pk || (a.pk === b.pk && a.sk < b.sk) ? -1 : 1));
  const chunk = sorted.slice(0, 99);
  const id = `0/2:${createHash('sha256')
    .update(chunk.map((r) => `${r.pk}\n${r.sk}`).join('\n'))
    .digest('hex')
    .slice(0, 16)}`;
  await clients.ddb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        ...chunk.map((r) => ({ Update: replayRowUpdate(table, r, 1) })),
        { Update: replayMarkerUpdate(dlt, letter.key, 1, { id, last: false }) },
      ],
    }),
  );
}

describe('a letter partly replayed by the release before wide rows were cut', () => {
  it.each(['many', 'long'] as const)(
    'resumes without adding the rows of its marked chunk twice (a wide row of %s counters)',
    async (kind) => {
      const table = uniqueTableName('s15-old-chunks');
      const dlt = uniqueTableName('s15-old-chunks-dl');
      await createAggregateTable(clients.ddb, table);
      await createDeadLetterTable(clients.ddb, dlt);
      const rows = lettersRows(kind);
      const letter: DeadLetter = {
        source: 'redis:flush',
        shardId: undefined,
        sequenceNumber: `1764700000000#${kind}`,
        eventId: undefined,
        code: 'ROW_REJECTED',
        reason: 'DynamoDB refused the aggregate row',
        record: undefined,
        at: Date.now(),
        deltas: rows,
      };
      await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([letter]);
      // the older release committed its first transaction (DynamoDB took the wide row whole), then stopped
      await olderReleaseFirstTransaction(table, dlt, rows);
      await replayDeltaLetters(clients.ddb, dlt, table);
      const stored = new Map((await scanTable(clients.ddb, table)).map((i) => [`${i.pk?.S}\n${i.sk?.S}`, i]));
      for (const d of rows)
        for (const [attr, v] of d.adds)
          expect(stored.get(`${d.pk}\n${d.sk}`)?.[attr]?.N, `${d.pk} ${attr}`).toBe(v);
    },
  );
});
