// A take-back the store refuses leaves the record in that row, and the record's letter leaves the row out of a
// replay. The stored letter is never rewritten (the dead-letter table keeps a record's first letter), so what it
// says about that row must stay true: a later delivery must never take the record back from the row (another
// shard's record may have made the take-back possible by then). Each case ends with a replay of the stored letter
// and compares every row with the oracle (the sums recomputed from the final source items). Before the fix, a
// redelivery took the record back from the row the letter says keeps it, and the replay left the row without it.
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
  type StoredDeadLetter,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable, createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { amountOracle, exactCells } from './amount-cells.ts';
import { allTimeRollup, budgetApplier, isMarked } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
const faulty: Array<() => void> = [];
afterAll(() => {
  clients.destroy();
  for (const destroy of faulty) destroy();
});

const amounts = allTimeRollup('amounts', 'g', true);
const kindSums = allTimeRollup('kindSums', 'kind', true);
const rollups = [amounts, kindSums];
/** A minute after the records (insertRecords stamps 1763800000): within the redelivery horizon. */
const NOW = 1_763_800_060_000;

type Input = UpdateItemCommandInput;

/** Is this write the shard's exclusion item being told a row keeps a record (a pin)? */
const isPin = (i: Input) =>
  (i.Key?.pk?.S ?? '').startsWith('~wx#') &&
  (i.ExpressionAttributeValues?.[':e']?.SS ?? []).some((e) => (JSON.parse(e).k ?? []).length > 0);

/** A client that throws at the `nth` UpdateItem matching `match` it sends (a crash just before that write). */
function crashAt(match: (i: Input) => boolean, nth = 1) {
  const { ddb: client, destroy } = testClients();
  faulty.push(destroy);
  let seen = 0;
  let injected = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand' && match(args.input as Input)) {
        seen++;
        if (seen === nth) {
          injected++;
          throw Object.assign(new Error('injected crash before the write'), { name: 'InjectedCrash' });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'keptRowsCrash', priority: 'high' },
  );
  return { client, injected: () => injected };
}

/** A DynamoDB dead-letter sink whose next `send` throws (a crash before the letter), once armed. */
function failingOnce(sink: DeadLetterSink): DeadLetterSink & { arm(): void; injected(): number } {
  let armed = false;
  let injected = 0;
  return {
    arm: () => {
      armed = true;
    },
    injected: () => injected,
    async send(letters: readonly DeadLetter[]) {
      if (armed) {
        armed = false;
        injected++;
        throw Object.assign(new Error('injected crash before the letter'), { name: 'InjectedCrash' });
      }
      await sink.send(letters);
    },
  };
}

/**
 * The tables and records of one case. p (g big, kind k, 1e-19) on shard-1; then the batch [d, o]: d (big, k,
 * -1e20) cannot be added to amounts#sbig (1e-19 - 1e20 needs 39 digits: recorded, dead-lettered); kindSums#sk takes
 * d and o (+1e20, group other) coalesced (delta 0), and taking d back from it (1e-19 + 1e20) is refused too, so
 * kindSums#sk keeps d and the letter names amounts#sbig only. q (big, k, -1e-19) on shard-2 brings both sums to 0:
 * from then on both rows could take d (amounts#sbig) or give it back (kindSums#sk).
 */
async function caseOf(
  name: string,
  api: 'update-item' | 'partiql' = 'update-item',
  refusing: 'per-row' | 'transactional' = 'per-row',
) {
  const table = uniqueTableName(`kept-${name}`);
  const deadLetters = uniqueTableName(`kept-dl-${name}`);
  await createAggregateTable(clients.ddb, table);
  await createDeadLetterTable(clients.ddb, deadLetters);
  const next = insertRecords();
  const items = new Map<string, Record<string, AttributeValue>>();
  const insert = (id: string, g: string, amount: string, kind = 'k'): DynamoDBRecord => {
    const attrs = { g: { S: g }, kind: { S: kind }, amount: { N: amount } };
    items.set(id, attrs);
    return next(id, attrs);
  };
  const applier = (client: DynamoDBClient, deadLetter: DeadLetterSink, budget?: number) =>
    budgetApplier({ client, table, rollups, api, deadLetter, now: NOW, budget });
  // letters stamped NOW (2025) with the default 14 days would be past their TTL, and DynamoDB Local removes them
  const sink = (client: DynamoDBClient) => new DynamoDbDeadLetterSink(client, deadLetters, 36_500);
  const p = insert('p', 'big', '1e-19');
  // z (big, kind other, 0) on shard-0 through a budget of 0: amounts#sbig, holding shard-1's state, is marked
  const z = refusing === 'transactional' ? insert('z', 'big', '0', 'other') : undefined;
  const batch = [insert('d', 'big', '-1e20'), insert('o', 'other', '1e20')];
  const q = insert('q', 'big', '-1e-19');
  const shard1 = (
    records: DynamoDBRecord[],
    client = clients.ddb,
    deadLetter: DeadLetterSink = sink(clients.ddb),
  ) => applier(client, deadLetter).apply({ records, shardId: 'shard-1' });
  return {
    table,
    deadLetters,
    sink,
    applier,
    batch,
    /** p on shard-1 (a delivery that finished), and amounts#sbig marked transactional when asked. */
    start: async () => {
      await shard1([p]);
      if (z === undefined) return;
      await applier(clients.ddb, sink(clients.ddb), 0).apply({ records: [z], shardId: 'shard-0' });
      expect(await isMarked(clients.ddb, table, 'amounts#sbig')).toBe(true);
      expect(await isMarked(clients.ddb, table, 'kindSums#sk')).toBe(false);
    },
    /** The batch [d, o] on shard-1, by a new process each time (a delivery, or a redelivery). */
    deliver: (client = clients.ddb, deadLetter: DeadLetterSink = sink(clients.ddb)) =>
      shard1(batch, client, deadLetter),
    /** q on shard-2: both rows' sums go to 0. */
    other: () => applier(clients.ddb, sink(clients.ddb)).apply({ records: [q], shardId: 'shard-2' }),
    replay: () =>
      replayDeadLetters({ client: clients.ddb, deadLetterTable: deadLetters, table, rollups, all: true }),
    letters: () => listDeadLetters({ client: clients.ddb, table: deadLetters }),
    cells: () => exactCells(clients.ddb, table),
    /** Every row's `n` and `total` recomputed from the final source items (all of them: each is an INSERT). */
    oracle: () => amountOracle([...items.values()]),
  };
}

/** Each stored letter's pending rows (partition keys, sorted), or 'every row'. */
const pendingOf = (letters: readonly StoredDeadLetter[]) =>
  letters.map((l) => l.pendingRows?.map((r) => r.pk).sort() ?? 'every row');

describe.each(['update-item', 'partiql'] as const)('a row that kept a record (%s)', (api) => {
  it('a finished delivery, another shard lowers the sums, a redelivery, then the replay: every row equals the oracle', async () => {
    const c = await caseOf(`finished-${api}`, api);
    await c.start();
    const first = await c.deliver();
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    await c.other();
    // the checkpoint was lost after the finished delivery: the same batch again. kindSums#sk could give d back
    // now (its sum is 0), but the stored letter says it keeps d: it must keep it
    await c.deliver();
    await c.deliver(); // and once more: a repeat changes nothing
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    const replayed = await c.replay();
    expect(replayed.map((r) => r.outcome)).toEqual(['replayed']);
    expect(await c.cells()).toEqual(c.oracle());
  });
});

describe('a row that kept a record refused by a transactional row', () => {
  it('a finished delivery, another shard lowers the sums, a redelivery, then the replay: every row equals the oracle', async () => {
    // amounts#sbig refuses d in its transaction (the record is found one a transaction and recorded); the
    // take-back from kindSums#sk (per row) is refused as on the per-row path
    const c = await caseOf('transactional', 'update-item', 'transactional');
    await c.start();
    const first = await c.deliver();
    expect(first.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    await c.other();
    await c.deliver();
    expect((await c.replay()).map((r) => r.outcome)).toEqual(['replayed']);
    expect(await c.cells()).toEqual(c.oracle());
  });
});

describe('a row that kept a record, the replay racing later deliveries', () => {
  it('the letter replayed before the redelivery: the redelivery changes nothing', async () => {
    const c = await caseOf('replay-first');
    await c.start();
    await c.deliver();
    await c.other();
    expect((await c.replay()).map((r) => r.outcome)).toEqual(['replayed']);
    expect(await c.cells()).toEqual(c.oracle());
    await c.deliver();
    expect(await c.cells()).toEqual(c.oracle());
    expect((await c.replay()).map((r) => r.outcome)).toEqual([]);
  });
});

describe('a row that kept a record, and a crash', () => {
  it('between the refused take-back and its pin, the sums lowered before the redelivery: the take-back succeeds and the letter names the row', async () => {
    const c = await caseOf('crash-pin');
    await c.start();
    const fault = crashAt(isPin);
    await expect(c.deliver(fault.client, c.sink(fault.client))).rejects.toThrow('injected crash');
    expect(fault.injected()).toBe(1);
    expect(await c.letters()).toEqual([]); // nothing stored before the pin
    await c.other();
    await c.deliver();
    // kindSums#sk gave d back this time: the first letter stored leaves no row out (d reaches two rows)
    expect(pendingOf(await c.letters())).toEqual(['every row']);
    await c.deliver();
    await c.replay();
    expect(await c.cells()).toEqual(c.oracle());
  });

  it('between the refused take-back and its pin, redelivered at once: refused again, pinned, then the sums lowered', async () => {
    const c = await caseOf('crash-pin-again');
    await c.start();
    const fault = crashAt(isPin);
    await expect(c.deliver(fault.client, c.sink(fault.client))).rejects.toThrow('injected crash');
    expect(fault.injected()).toBe(1);
    await c.deliver();
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    await c.other();
    await c.deliver();
    await c.replay();
    expect(await c.cells()).toEqual(c.oracle());
  });

  it('between the pin on the first rollup and on the second: the redelivery finds the pin', async () => {
    const c = await caseOf('crash-half-pin');
    await c.start();
    const fault = crashAt(isPin, 2);
    await expect(c.deliver(fault.client, c.sink(fault.client))).rejects.toThrow('injected crash');
    expect(fault.injected()).toBe(1);
    await c.other();
    await c.deliver();
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    await c.replay();
    expect(await c.cells()).toEqual(c.oracle());
  });

  it('between the pin and the letter, the sums lowered before the redelivery: the letter still leaves the row out, and it keeps the record', async () => {
    const c = await caseOf('crash-letter');
    await c.start();
    const sink = failingOnce(c.sink(clients.ddb));
    sink.arm();
    await expect(c.deliver(clients.ddb, sink)).rejects.toThrow('injected crash');
    expect(sink.injected()).toBe(1);
    expect(await c.letters()).toEqual([]);
    await c.other();
    await c.deliver();
    expect(pendingOf(await c.letters())).toEqual([['amounts#sbig']]);
    await c.replay();
    expect(await c.cells()).toEqual(c.oracle());
  });
});
