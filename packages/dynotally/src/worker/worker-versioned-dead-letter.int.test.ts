// A record the worker skips after a versioned write side kept failing on it names, in its dead letter, only the
// rows it has not reached in each version. The side applies the serving version before the one being built, so a
// batch that fails in the building version has already written the serving version's rows (once: row watermarks).
// The worker used to count every row of a write side other than the built-in Applier as pending, and the replay
// then added the record to the serving version a second time. And the record's claims in a version under backfill
// are settled before the shard moves past it: a record that failed before its claims were written left the scan's
// claim unconverted, a later record of the item passed it by, and the version being built never counted that one.
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { ddbReady, testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { quietLogger, scanAll, tallies, writeOps } from '../../../../test/worker/support.ts';
import { runBackfill } from '../backfill/index.ts';
import { listDeadLetters, replayDeadLetters } from '../dead-letter/index.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
  createLeaseTable,
  createSourceTable,
} from '../tables/index.ts';
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
    const [source, aggregates, leases, deadLetters, claims] = ['src', 'agg', 'lease', 'dlq', 'cl'].map((t) =>
      uniqueTableName(`wvdl-${t}`),
    ) as [string, string, string, string, string];
    const [streamArn] = await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, aggregates),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
      createClaimTable(clients.ddb, claims),
    ]);
    await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    // version 1 (tallies) serving, version 2 (the changed definition) being built
    await registerVersions(clients.ddb, aggregates, [tallies.compiled]);
    await registerVersions(clients.ddb, aggregates, [changed.compiled]);

    // DynamoDB refuses every write of group gpoison's rows in version 2 (an error no retry gets past)
    const { ddb: faulty, destroy } = testClients();
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { TableName?: string; Key?: { pk?: { S?: string } } } }).input;
        const pk = input.Key?.pk?.S ?? '';
        if (
          context.commandName === 'UpdateItemCommand' &&
          input.TableName === aggregates &&
          pk.startsWith('tallies.v2#') &&
          pk.includes('gpoison')
        )
          throw Object.assign(new Error('Invalid UpdateExpression: an injected refusal'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'testPoisonVersion2' },
    );
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
    const [source, aggregates, leases, deadLetters, claims] = ['src', 'agg', 'lease', 'dlq', 'cl'].map((t) =>
      uniqueTableName(`wvdc-${t}`),
    ) as [string, string, string, string, string];
    const [streamArn] = await Promise.all([
      createSourceTable(clients.ddb, source, { id: 'S' }),
      createAggregateTable(clients.ddb, aggregates),
      createLeaseTable(clients.ddb, leases),
      createDeadLetterTable(clients.ddb, deadLetters),
      createClaimTable(clients.ddb, claims),
    ]);
    await clients.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    await registerVersions(clients.ddb, aggregates, [tallies.compiled]);
    // DynamoDB refuses version 1's row of group gpoison while `refusing` (the serving version, written first)
    let refusing = false;
    const { ddb: faulty, destroy } = testClients();
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { TableName?: string; Key?: { pk?: { S?: string } } } }).input;
        const pk = input.Key?.pk?.S ?? '';
        if (
          refusing &&
          context.commandName === 'UpdateItemCommand' &&
          input.TableName === aggregates &&
          pk.startsWith('tallies#') &&
          pk.includes('gpoison')
        )
          throw Object.assign(new Error('Invalid UpdateExpression: an injected refusal'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'testPoisonVersion1' },
    );
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
