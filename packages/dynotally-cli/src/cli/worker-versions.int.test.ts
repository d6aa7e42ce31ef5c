// A rollup's definition changed under `dynotally worker`, end to end through the bin on DynamoDB Local, as a user of
// docs/guide-your-own-table.md does it: the worker folds changes with the first definition (version 1); the config
// gains a measure and a granularity; the worker, run again over more changes, registers the new definition as
// version 2 (building) and must leave version 1's rows alone (the plain applier folded the new definition into
// them); `dynotally query` with the new config says it is building and what to run; `dynotally backfill --promote`
// builds and serves it; queries and a further worker run keep version 2 exact against an oracle over the items.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_LIB, cliTables, runDynotally } from '../../../../test/support/cli.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { tempDir } from '../../../../test/support/temp-dir.ts';

const DAY = Date.UTC(2026, 10, 20);
const STORES = ['s-0', 's-1', 's-2', 's-3'];

/** An order item of the source table (keys pk/sk, as `tables create` makes it). */
interface Order {
  pk: string;
  sk: string;
  storeId: string;
  amount: number;
  t: number;
}

/** Writes a config file holding rollup `orders`: `extended` adds `amount` (a sum) and a month granularity. */
function configFile(dir: string, extended: boolean): string {
  const file = join(dir, `${extended ? 'extended' : 'first'}.config.mts`);
  writeFileSync(
    file,
    `import { count, defineRollup, sum } from ${JSON.stringify(CONFIG_LIB)};
export const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ${extended ? "['day', 'month', 'all']" : "['day', 'all']"},
  measures: { n: count()${extended ? ", amount: sum('amount')" : ''} },
});
`,
  );
  return file;
}

describe('dynotally worker over a changed rollup definition', () => {
  const clients = testClients();
  const live = new Map<string, Order>();
  let flags: string[] = [];
  let claims: string[] = [];
  let aggregate = '';
  let source = '';
  let first = '';
  let extended = '';

  const dir = tempDir('dynotally-wv-');
  beforeAll(async () => {
    const endpoint = await ddbReady();
    const made = cliTables('wv');
    ({ aggregate, source } = made.tables);
    // a claim table nobody created: the worker creates it once a version is being built
    flags = made.flags(endpoint);
    claims = ['--claim-table', uniqueTableName('wv-claims')];
    const created = await runDynotally(['tables', 'create', ...flags]);
    expect(created.code, created.stderr).toBe(0);
    first = configFile(dir, false);
    extended = configFile(dir, true);
  });
  afterAll(() => clients.destroy());

  /** `n` new orders of phase `phase`, a third of the live ones moved to another store and re-priced, a tenth deleted. */
  const change = async (phase: number, n: number): Promise<void> => {
    const requests: WriteRequest[] = [];
    const before = [...live.values()];
    const put = (o: Order) => {
      live.set(o.sk, o);
      requests.push({ PutRequest: { Item: marshall(o) } });
    };
    before.forEach((o, i) => {
      if (i % 10 === phase) {
        live.delete(o.sk);
        requests.push({ DeleteRequest: { Key: marshall({ pk: o.pk, sk: o.sk }) } });
      } else if (i % 3 === phase % 3)
        put({ ...o, storeId: STORES[(i + phase) % 4] as string, amount: ((i * 13) % 40) + 0.25 });
    });
    for (let i = 0; i < n; i++)
      put({
        pk: 'order',
        sk: `o-${phase}-${i}`,
        storeId: STORES[(i * 7 + phase) % 4] as string,
        amount: ((i * 11) % 50) + 0.5,
        t: DAY + phase * 86_400_000 + i * 60_000,
      });
    for (let i = 0; i < requests.length; i += 25) {
      let req: Record<string, WriteRequest[]> | undefined = { [source]: requests.slice(i, i + 25) };
      while (req && Object.keys(req).length > 0)
        req = (await clients.ddb.send(new BatchWriteItemCommand({ RequestItems: req }))).UnprocessedItems;
    }
  };

  /** Count and sum (in cents) per store over the live orders. */
  const oracle = () => {
    const out = new Map<string, { n: number; cents: number }>();
    for (const o of live.values()) {
      const s = out.get(o.storeId) ?? { n: 0, cents: 0 };
      s.n += 1;
      s.cents += Math.round(o.amount * 100);
      out.set(o.storeId, s);
    }
    return out;
  };

  /** The all-time rows of one version (`orders#…` is version 1, `orders.v2#…` version 2): store → [n, amount]. */
  const allTime = async (prefix: string) => {
    const rows = (await scanTable(clients.ddb, aggregate)).filter(
      (r) => r.pk?.S?.startsWith(`${prefix}#`) && r.sk?.S === 'ALL',
    );
    return new Map(
      rows.map((r) => [(r.pk?.S ?? '').slice(prefix.length + 2), [Number(r.n?.N), r.amount?.N]] as const),
    );
  };
  const expectRows = (rows: Map<string, readonly [number, string | undefined]>, withAmount: boolean) => {
    const want = oracle();
    expect(new Set(rows.keys())).toEqual(new Set(want.keys()));
    for (const [store, { n, cents }] of want) {
      const [gotN, gotAmount] = rows.get(store) ?? [];
      expect({ store, n: gotN, amount: withAmount ? Number(gotAmount) : undefined }).toEqual({
        store,
        n,
        amount: withAmount ? cents / 100 : undefined,
      });
    }
  };
  const total = async (config: string, store: string) =>
    runDynotally([
      'query',
      'total',
      'orders',
      '-c',
      config,
      ...flags,
      '--group',
      `storeId=${store}`,
      '--all',
      '--json',
    ]);
  /** A `query total --json` answer's values, sums as numbers (they print as exact strings). */
  const valuesOf = (stdout: string) => {
    const { n, amount } = JSON.parse(stdout).values as { n: number; amount: number | string };
    return { n, amount: Number(amount) };
  };

  it('keeps version 1 to the first definition, says the new one is building, and serves it exactly once built', {
    timeout: 900_000,
  }, async () => {
    // 1. the first definition: registered as version 1, serving
    await change(0, 160);
    const a = await runDynotally(['worker', '--until-idle', '-c', first, ...flags, ...claims, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expectRows(await allTime('orders'), false);
    const v1 = new Map(await allTime('orders'));

    // 2. the definition changes (amount, months); more changes reach the worker
    await change(1, 160);
    const b = await runDynotally(['worker', '--until-idle', '-c', extended, ...flags, ...claims, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(
      'building: orders version 2 (building: dynotally backfill orders --promote); the stream is written through the claims in',
    );
    // version 1's rows are the first definition's, untouched by the new definition's batches
    expect(await allTime('orders')).toEqual(v1);
    const building = await total(extended, 's-1');
    expect(building.stderr).toContain(
      "[VERSION_BUILDING] rollup 'orders' serves version 1 (another definition than the config's); the config's definition is version 2, building: run dynotally backfill orders --promote",
    );
    expect(building.code).toBe(1);
    // the first definition still reads version 1
    const old = await total(first, 's-1');
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(old.stdout).values.n).toBe(v1.get('s-1')?.[0]);

    // 3. the backfill builds version 2 from the source table and promotes it
    const fill = await runDynotally([
      'backfill',
      'orders',
      '-c',
      extended,
      ...flags,
      ...claims,
      '--settle',
      '0s',
      '--promote',
    ]);
    expect(fill.code, fill.stderr).toBe(0);
    expect(fill.stdout).toContain('version 2 serves reads');
    expectRows(await allTime('orders.v2'), true);
    const served = await total(extended, 's-2');
    expect(served.code, served.stderr).toBe(0);
    const want = oracle().get('s-2');
    expect(valuesOf(served.stdout)).toEqual({ n: want?.n, amount: (want?.cents ?? 0) / 100 });

    // 4. the worker goes on writing version 2, exactly
    await change(2, 120);
    const c = await runDynotally(['worker', '--until-idle', '-c', extended, ...flags, ...claims, '--json']);
    expect(c.code, c.stderr).toBe(0);
    expectRows(await allTime('orders.v2'), true);
    const after = await total(extended, 's-3');
    expect(after.code, after.stderr).toBe(0);
    const now = oracle().get('s-3');
    expect(valuesOf(after.stdout)).toEqual({ n: now?.n, amount: (now?.cents ?? 0) / 100 });
  });
});
