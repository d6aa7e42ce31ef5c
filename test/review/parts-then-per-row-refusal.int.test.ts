// Review 14, finding 1 (fixed: the per-row refusal path reads, before it records the exclusion, which of the
// record's transactional rows hold it already, heldByTransactions, and records them kept): a record written in parts
// (7353b47) and refused on a later delivery by a PER-ROW row.
//
// The refusal path of writeTransactionalRows names the rows of the record's earlier parts `kept` (heldByTransactions), but
// the per-row refusal path (isolateUnrepresentable → takeBack) knows nothing of them. After a crash between two
// parts, the rows of the part not yet written may be per-row for the process that takes the redelivery (unmarked
// rows: the crashed process knew them over the budget, but the marker was never set: its markTransactional failed,
// and their transaction, which would have marked them, is the part that did not run). If one of those rows refuses
// the record (a sum past 38 digits), the record is taken back from every row it reached except the transactional
// rows of the earlier part: those have no state for the shard (the part removed it), so the take-back's condition
// fails and they are treated as "never reached", yet they hold the record. No `kept` is recorded, the letter goes
// out without pendingRows ("every row"), and its replay adds the record a second time to every row of the earlier
// part: a double count.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { countsByPartition, ROLLUPS, teamStream } from '../apply/team-rollups.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** Faults: the markers of `amounts` rows fail while armed; the n-th TransactWriteItems (1-based) fails once. */
function faults(client: DynamoDBClient) {
  const f = { sent: 0, failTx: new Set<number>(), failMarkers: false };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TransactItems?: unknown[];
        UpdateExpression?: string;
        Key?: { pk?: { S?: string } };
      };
      if (context.commandName === 'TransactWriteItemsCommand') {
        f.sent++;
        if (f.failTx.delete(f.sent))
          throw Object.assign(new Error('injected crash between two parts'), { name: 'InjectedCrash' });
      }
      if (
        f.failMarkers &&
        context.commandName === 'UpdateItemCommand' &&
        input.UpdateExpression === 'SET #x = :x, #u = :u' &&
        input.Key?.pk?.S?.startsWith('amounts#')
      )
        throw Object.assign(new Error('injected: marking failed'), { name: 'InjectedMarkFailure' });
      return next(args);
    },
    { step: 'initialize', name: 'review14Faults', priority: 'high' },
  );
  return f;
}

describe('review14: parts of a record, then a per-row refusal of it on the redelivery', () => {
  it('leaves the rows of the earlier part out of the letter (else its replay counts the record twice there)', async () => {
    const table = uniqueTableName('r14-parts-perrow');
    await createAggregateTable(clients.ddb, table);
    const faulty = testClients();
    const f = faults(faulty.ddb);
    const big = '9'.repeat(38);
    const options = {
      table,
      rollups: ROLLUPS,
      stateBudgetBytes: 0,
      pruneSampleEvery: 1,
      retry: { maxAttempts: 1 },
    };
    const a = new Applier({ lateRecords: 'apply', ...options, client: faulty.ddb });
    const s = teamStream();
    try {
      // the shard's first batch finds every row over the budget (0); marking the amounts rows fails (throttled, say),
      // after the rows were written: the batch fails and is delivered again
      const first = [s.insert('x', 'red'), s.insert('y', 'blue', big)];
      f.failMarkers = true;
      await expect(a.apply({ records: first, shardId: 'shard-0' })).rejects.toThrow(/marking failed/);
      f.failMarkers = false;
      // the redelivery: process A knows every row is transactional, and has nothing left to write (nor to mark)
      expect((await a.apply({ records: first, shardId: 'shard-0' })).poison).toEqual([]);
      const unmarked = (await scanTable(clients.ddb, table)).filter(
        (i) => (i.pk?.S ?? '').startsWith('amounts#') && i['~tx'] === undefined,
      );
      expect(unmarked.length).toBe(8);

      // the move: 104 transactional rows for process A, written in 2 parts; a crash before the second
      const move = [s.move('x', 'red', 'blue', '3')];
      f.failTx.add(f.sent + 2);
      await expect(a.apply({ records: move, shardId: 'shard-0' })).rejects.toThrow(/injected crash/);
      const half = await countsByPartition(clients.ddb, table);
      const moved = ROLLUPS.map((r) => r.name).filter((r) => half[`${r}#sblue`] === '2');
      // the first part's rollups hold the move (view0 … view9: parts are cut by 100 items and by the 4 MB bound, each
      // row at the most it can hold), amounts is in the part that did not run
      expect(moved.length).toBe(10);
      expect(half['amounts#sblue']).toBe('1');

      // the redelivery goes to a fresh process B: the unmarked amounts rows are per-row for it, and amounts#sblue
      // refuses the move (38 nines + 3 needs 39 digits)
      const letters: DeadLetter[] = [];
      const b = new Applier({
        lateRecords: 'apply',
        ...options,
        client: clients.ddb,
        deadLetter: { send: async (l) => void letters.push(...l) },
      });
      const out = await b.apply({ records: move, shardId: 'shard-0' });
      expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
      // the rows of the first part still hold the move (nothing can take it back from them) …
      const after = await countsByPartition(clients.ddb, table);
      for (const r of moved) expect([after[`${r}#sblue`], after[`${r}#sred`]]).toEqual(['2', '0']);
      // … so the letter must leave them out of its replay. It does not: no pendingRows, i.e. "every row", and a
      // replay adds the move there a second time (view0#sblue 3, view0#sred -1)
      const letter = letters[0];
      expect(letter?.pendingRows).toBeDefined();
      for (const row of letter?.pendingRows ?? []) expect(moved).not.toContain(row.pk.split('#')[0]);
    } finally {
      faulty.destroy();
    }
  });
});
