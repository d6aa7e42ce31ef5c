// Review s16 (query client), group arguments against DynamoDB Local.
// - A group whose partition key passes DynamoDB's 2,048 bytes reached DynamoDB, which rejected the read with a
//   raw ValidationException ("Hash primary key values must be under 2048 bytes"). No such group can exist (the
//   stream handler dead-letters its records as KEY_TOO_LARGE). Fixed: GROUP_INVALID before anything is sent;
//   a key of exactly 2,048 bytes is still read.
// - A numeric group value with more digits than a double holds (N '0.12345678901234567891'): top() returns it
//   as the exact decimal string, and that string, passed back as the group, names the string group
//   (pk `…#s0.1234…`, not `…#n0.1234…`): total() answered 0 for a group top() ranks first. Fixed (session 18): top()
//   returns such a value as its text in DynamoDB's form, { N: '0.1234…' }, which queries take (the review's it.fails,
//   now a plain it).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = Date.UTC(2026, 2, 1, 12);
const byAccount = defineRollup({
  name: 'acct',
  groupBy: 'accountId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});
let seq = 1;
const insert = (accountId: { S: string } | { N: string }): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: String(seq++).padStart(21, '0'),
    ApproximateCreationDateTime: T / 1000,
    NewImage: { id: { S: `i${seq}` }, accountId, ts: { N: String(T) } },
  },
});

async function loaded(records: DynamoDBRecord[]) {
  const table = uniqueTableName('s16-groups');
  await createAggregateTable(clients.ddb, table);
  const applier = new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [byAccount] });
  if (records.length > 0) {
    const { poison } = await applier.apply({ records, shardId: 'shardId-1' });
    expect(poison).toEqual([]);
  }
  return createQueryClient({ client: clients.ddb, table, rollups: [byAccount], now: () => T });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'resolved';
}

describe('group arguments', () => {
  it('a group whose partition key passes 2,048 bytes is GROUP_INVALID, not a request DynamoDB rejects', async () => {
    const query = await loaded([]);
    const day = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' } as const;
    const long = { accountId: 'x'.repeat(2043) }; // 'acct#s' + 2043 = 2049 bytes
    expect(await codeOf(query.total(byAccount, long, day))).toBe('GROUP_INVALID');
    expect(await codeOf(query.total(byAccount, long, 'all'))).toBe('GROUP_INVALID');
    expect(await codeOf(query.totalMany(byAccount, [{ accountId: 'a' }, long], day))).toBe('GROUP_INVALID');
    expect(await codeOf(query.series(byAccount, long, { granularity: 'day', ...day }))).toBe('GROUP_INVALID');
    // bytes, not characters: 1,025 × 'é' (2 bytes each) + 'acct#s' = 2,056 bytes
    expect(await codeOf(query.total(byAccount, { accountId: 'é'.repeat(1025) }, day))).toBe('GROUP_INVALID');
    // exactly 2,048 bytes is a key DynamoDB takes: read, and empty
    const edge = await query.total(byAccount, { accountId: 'x'.repeat(2042) }, day);
    expect(edge.values.n).toBe(0);
  });

  it('a decimal group value past a double’s digits, as top() returns it, reads its own group back', async () => {
    const query = await loaded([
      insert({ N: '0.12345678901234567891' }),
      insert({ N: '0.12345678901234567891' }),
    ]);
    const top = await query.top(byAccount, { limit: 10 });
    expect(top.entries.map((e) => e.value)).toEqual([2]);
    expect(top.entries[0]?.group).toEqual({ accountId: { N: '0.12345678901234567891' } });
    const total = await query.total(byAccount, top.entries[0]?.group as never, 'all');
    expect(total.values.n).toBe(2);
    // another spelling of the same number is the same group; the string is another group (empty)
    expect(
      (await query.total(byAccount, { accountId: { N: '0.123456789012345678910' } }, 'all')).values.n,
    ).toBe(2);
    expect((await query.total(byAccount, { accountId: '0.12345678901234567891' }, 'all')).values.n).toBe(0);
    // a text DynamoDB would not store as a number is refused, not read as some other group
    expect(await codeOf(query.total(byAccount, { accountId: { N: 'twelve' } } as never, 'all'))).toBe(
      'GROUP_INVALID',
    );
  });
});
