import { afterAll, describe, expect, it } from 'vitest';
import { ddbReady, testClients } from '../../../../test/support/ddb.ts';
import { quietLogger, scanAll, tallies, writeOps } from '../../../../test/worker/support.ts';
import { refusingRows, versionedTables } from '../../../../test/worker/versioned-fault.ts';
import { runBackfill } from '../backfill/index.ts';
import { listDeadLetters, replayDeadLetters } from '../dead-letter/index.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import { registerVersions } from '../versions/control-store.ts';
import { createVersionedWriteSide } from '../versions/versioned-write-side.ts';
import { createStreamWorker } from './index.ts';
import { runWorkerUntilIdle } from './run-until-idle.ts';

// the same measures at fewer granularities: another definition, so another version
const changed = defineRollup({
  name: 'tallies',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});

describe('a record a versioned write side keeps failing on', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('is dead-lettered with the rows it has not reached, and replayed once into each version', {
    timeout: 300_000,
  }, async () => {
    await ddbReady();
    const {
      source,
      aggregate: aggregates,
      leases,
      deadLetter: deadLetters,
      claims,
    } = await versionedTables(clients, 'wvdl');
    // version 1 (tallies) serving, version 2 (the changed definition) being built
    await registerVersions(clients.ddb, aggregates, [tallies.compiled]);
    await registerVersions(clients.ddb, aggregates, [changed.compiled]);

    // DynamoDB refuses every write of group gpoison's rows in version 2 (an error no retry gets past)
    const { ddb: faulty, destroy } = refusingRows(aggregates, 'tallies.v2#', 'gpoison');
    const t = { N: String(Date.now() - 3_600_000) };
    await writeOps(
      clients.ddb,
      source,
      [
        { kind: 'put', item: { id: { S: 'a' }, g: { S: 'g1' }, t, amount: { N: '1' } } },
        { kind: 'put', item: { id: { S: 'bad' }, g: { S: 'gpoison' }, t, amount: { N: '5' } } },
        { kind: 'put', item: { id: { S: 'b' }, g: { S: 'g1' }, t, amount: { N: '2' } } },
      ],
      1,
    );
    const worker = createStreamWorker({
      client: faulty,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregates,
      rollups: [changed],
      applier: createVersionedWriteSide({
        client: faulty,
        table: aggregates,
        claimTable: claims,
        rollups: [tallies, changed],
        apply: { write: { api: 'update-item' } }, // the fault is injected on UpdateItem: one request a row
      }),
      deadLetter: { table: deadLetters },
      logger: quietLogger(),
      leaseDurationMs: 3_000,
      heartbeatMs: 300,
      pollIntervalMs: 100,
      maxRetries: 1,
      retryBaseMs: 5,
      retryMaxMs: 20,
    });
    await runWorkerUntilIdle(worker, { quietMs: 600 });
    destroy();

    const [letter, ...others] = await listDeadLetters({ client: clients.ddb, table: deadLetters });
    expect(others).toEqual([]);
    expect(letter?.code).toBe('RETRIES_EXHAUSTED');
    // version 1 holds the record already: only version 2's rows are pending
    const pending = (letter?.pendingRows ?? []).map((r) => r.pk);
    expect(letter?.pendingRows).toBeDefined();
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((pk) => pk.startsWith('tallies.v2#'))).toBe(true);

    const options = {
      client: clients.ddb,
      deadLetterTable: deadLetters,
      table: aggregates,
      rollups: [tallies, changed],
      claimTable: claims,
      all: true,
    };
    expect((await replayDeadLetters(options)).map((r) => r.outcome)).toEqual(['replayed']);
    expect(await replayDeadLetters(options)).toEqual([]);
    // group gpoison counted once in each version, in every cell (`n`, `amt`, and the packed `n_<i>`, `amt_<i>`)
    const rows = (await scanAll(clients.ddb, aggregates)).filter((r) => r.pk?.S?.includes('gpoison'));
    const cells = (prefix: string) =>
      rows
        .filter((r) => r.pk?.S?.startsWith(`${prefix}#`))
        .flatMap((r) => Object.entries(r))
        .filter(([a]) => /^(n|amt)(_\d+)?$/.test(a))
        .map(([a, v]) => `${a.split('_')[0]}=${v.N}`);
    for (const prefix of ['tallies', 'tallies.v2']) {
      const got = cells(prefix);
      expect(got.length, prefix).toBeGreaterThanOrEqual(4);
      expect(new Set(got), prefix).toEqual(new Set(['n=1', 'amt=5']));
    }
  });
  it('settles its claims before moving past it: a later record of the item counts in the version being built', {
    timeout: 300_000,
  }, async () => {
    await ddbReady();
    const {
      source,
      aggregate: aggregates,
      leases,
      deadLetter: deadLetters,
      claims,
    } = await versionedTables(clients, 'wvdc');
    await registerVersions(clients.ddb, aggregates, [tallies.compiled]);
    // DynamoDB refuses version 1's row of group gpoison while `refusing` (the serving version, written first)
    let refusing = false;
    const { ddb: faulty, destroy } = refusingRows(aggregates, 'tallies#', 'gpoison', () => refusing);
    const side = createVersionedWriteSide({
      client: faulty,
      table: aggregates,
      claimTable: claims,
      rollups: [tallies, changed],
      register: 'first', // version 2 is registered by its backfill
      apply: { write: { api: 'update-item' } },
    });
    const drain = () =>
      runWorkerUntilIdle(
        createStreamWorker({
          client: faulty,
          streamsClient: clients.streams,
          sourceTable: source,
          leaseTable: leases,
          table: aggregates,
          rollups: [changed],
          applier: side,
          deadLetter: { table: deadLetters },
          logger: quietLogger(),
          leaseDurationMs: 3_000,
          heartbeatMs: 300,
          pollIntervalMs: 100,
          maxRetries: 1,
          retryBaseMs: 5,
          retryMaxMs: 20,
        }),
        { quietMs: 600 },
      );
    const t = { N: String(Date.now() - 3_600_000) };
    const put = (g: string, amount: string) =>
      writeOps(
        clients.ddb,
        source,
        [{ kind: 'put', item: { id: { S: 'k' }, g: { S: g }, t, amount: { N: amount } } }],
        1,
      );

    await put('g1', '1');
    await drain(); // version 1 counts the item
    // version 2 registered and built: its scan claims the item with the image it counts (g1, 1)
    await runBackfill({
      client: clients.ddb,
      source,
      table: aggregates,
      claimTable: claims,
      rollup: changed,
      register: true,
      settleMs: 0,
    });
    refusing = true;
    await put('gpoison', '2'); // fails in version 1, before version 2's claims: dead-lettered
    await drain();
    refusing = false;
    await put('g2', '3'); // a later record of the item
    await drain();
    destroy();

    const letters = await listDeadLetters({ client: clients.ddb, table: deadLetters });
    expect(letters.map((l) => l.code)).toEqual(['RETRIES_EXHAUSTED']);
    const options = {
      client: clients.ddb,
      deadLetterTable: deadLetters,
      table: aggregates,
      rollups: [tallies, changed],
      claimTable: claims,
      all: true,
    };
    expect((await replayDeadLetters(options)).map((r) => r.outcome)).toEqual(['replayed']);
    // both versions hold the item as it is now: in g2, amount 3
    const all = (await scanAll(clients.ddb, aggregates)).filter((r) => r.sk?.S === 'ALL');
    const byGroup = (prefix: string) =>
      Object.fromEntries(
        all
          .filter((r) => r.pk?.S?.startsWith(`${prefix}#`))
          .map((r) => [r.pk?.S?.slice(prefix.length + 1), `${r.n?.N}/${r.amt?.N}`]),
      );
    const expected = { sg1: '0/0', sgpoison: '0/0', sg2: '1/3' };
    expect(byGroup('tallies')).toEqual(expected);
    expect(byGroup('tallies.v2')).toEqual(expected);
  });
});
