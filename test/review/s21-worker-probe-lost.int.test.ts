import { afterAll, describe, expect, it } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/index.ts';
import { listDeadLetters, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/control-store.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { runWorkerUntilIdle } from '../../packages/dynotally/src/worker/run-until-idle.ts';
import { directWriteSide } from '../../packages/dynotally-cli/src/cli/commands/worker-direct.ts';
import { stopOnRefusal } from '../../packages/dynotally-cli/src/cli/commands/worker-refusals.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { quietLogger, scanAll, tallies, writeOps } from '../worker/support.ts';
import { refusingRows, versionedTables } from '../worker/versioned-fault.ts';

// the changed definition (fewer granularities): version 2; `tallies` is the serving one, in alsoWrite
const changed = defineRollup({
  name: 'tallies',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), amt: sum('amount') },
});

describe('dynotally worker with alsoWrite: a record its write side keeps failing on', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('is replayed once into the serving version', { timeout: 300_000 }, async () => {
    await ddbReady();
    const { source, aggregate, leases, deadLetter, claims } = await versionedTables(clients, 's21p');
    // version 1 serves the old definition (a worker with the first configuration registered it)
    await registerVersions(clients.ddb, aggregate, [tallies.compiled]);

    // DynamoDB refuses every write of group gpoison's rows in version 2 (an error no retry gets past)
    const { ddb: faulty, destroy } = refusingRows(aggregate, 'tallies.v2#', 'gpoison');
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
    // the rollout configuration: `rollups: [changed], alsoWrite: [tallies]`, as worker.ts resolves it
    const settings = {
      mode: 'exactly-once' as const,
      strategy: undefined,
      writeApi: 'update-item' as const, // the fault is injected on UpdateItem: one request a row
      rollups: [changed],
      alsoWrite: [tallies],
      tables: { source, aggregate, deadLetter, leases },
    };
    let stopped: unknown;
    const side = stopOnRefusal(
      directWriteSide(faulty, settings, { firstVersion: 'serving', claimTable: claims }),
      (e) => {
        stopped ??= e;
      },
    );
    const worker = createStreamWorker({
      client: faulty,
      streamsClient: clients.streams,
      sourceTable: source,
      leaseTable: leases,
      table: aggregate,
      rollups: settings.rollups,
      applier: side,
      deadLetter: { table: deadLetter },
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
    expect(stopped).toBeUndefined();

    const letters = await listDeadLetters({ client: clients.ddb, table: deadLetter });
    expect(letters.map((l) => l.code)).toEqual(['RETRIES_EXHAUSTED']);
    // dead-letters replay during the rollout: both definitions (dead-letters.ts)
    const replayed = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: deadLetter,
      table: aggregate,
      rollups: [...settings.rollups, ...settings.alsoWrite],
      claimTable: claims,
      all: true,
    });
    expect(replayed.map((r) => r.outcome)).toEqual(['replayed']);
    const all = (await scanAll(clients.ddb, aggregate)).filter((r) => r.sk?.S === 'ALL');
    const cell = (pk: string) => {
      const r = all.find((x) => x.pk?.S === pk);
      return `${r?.n?.N}/${r?.amt?.N}`;
    };
    // the gpoison order counted once in each version (observed: version 1 2/10)
    expect({ v1: cell('tallies#sgpoison'), v2: cell('tallies.v2#sgpoison') }).toEqual({
      v1: '1/5',
      v2: '1/5',
    });
    // and the letter named only the rows it had not reached (version 2's)
    const pending = letters[0]?.pendingRows;
    expect(pending).toBeDefined();
    expect((pending ?? []).every((r) => r.pk.startsWith('tallies.v2#'))).toBe(true);
  });

  it('settles its claims before moving past it: a later record counts in the version being built', {
    timeout: 300_000,
  }, async () => {
    await ddbReady();
    const { source, aggregate, leases, deadLetter, claims } = await versionedTables(clients, 's21q');
    await registerVersions(clients.ddb, aggregate, [tallies.compiled]);
    // DynamoDB refuses version 1's row of group gpoison while `refusing` (the serving version, written first)
    let refusing = false;
    const { ddb: faulty, destroy } = refusingRows(aggregate, 'tallies#', 'gpoison', () => refusing);
    const tables = { source, aggregate, deadLetter, leases };
    const base = {
      mode: 'exactly-once' as const,
      strategy: undefined,
      writeApi: 'update-item' as const,
      tables,
    };
    // the first configuration, then the rollout one (worker.ts's write side for each)
    const firstSide = stopOnRefusal(
      directWriteSide(
        faulty,
        { ...base, rollups: [tallies], alsoWrite: [] },
        { firstVersion: 'serving', claimTable: claims },
      ),
      () => {},
    );
    const rolloutSettings = { ...base, rollups: [changed], alsoWrite: [tallies] };
    const rolloutSide = stopOnRefusal(
      directWriteSide(faulty, rolloutSettings, { firstVersion: 'serving', claimTable: claims }),
      () => {},
    );
    const drain = (applier: typeof firstSide, rollups: typeof rolloutSettings.rollups) =>
      runWorkerUntilIdle(
        createStreamWorker({
          client: faulty,
          streamsClient: clients.streams,
          sourceTable: source,
          leaseTable: leases,
          table: aggregate,
          rollups,
          applier,
          deadLetter: { table: deadLetter },
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
    await drain(firstSide, [tallies]); // version 1 counts the item
    // the rollout worker starts: it registers version 2 (prepareDirectSide's empty batch); then its backfill,
    // whose scan claims the item with the image it counts (g1, 1)
    await rolloutSide.apply({ records: [] });
    await runBackfill({
      client: clients.ddb,
      source,
      table: aggregate,
      claimTable: claims,
      rollup: changed,
      settleMs: 0,
    });
    refusing = true;
    await put('gpoison', '2'); // fails in version 1, before version 2's claims: dead-lettered
    await drain(rolloutSide, rolloutSettings.rollups);
    refusing = false;
    await put('g2', '3'); // a later record of the item
    await drain(rolloutSide, rolloutSettings.rollups);
    destroy();

    const letters = await listDeadLetters({ client: clients.ddb, table: deadLetter });
    expect(letters.map((l) => l.code)).toEqual(['RETRIES_EXHAUSTED']);
    const replayed = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: deadLetter,
      table: aggregate,
      rollups: [...rolloutSettings.rollups, ...rolloutSettings.alsoWrite],
      claimTable: claims,
      all: true,
    });
    expect(replayed.map((r) => r.outcome)).toEqual(['replayed']);
    // both versions hold the item as it is now: in g2, amount 3
    const all = (await scanAll(clients.ddb, aggregate)).filter((r) => r.sk?.S === 'ALL');
    const byGroup = (prefix: string) =>
      Object.fromEntries(
        all
          .filter((r) => r.pk?.S?.startsWith(`${prefix}#`))
          .map((r) => [r.pk?.S?.slice(prefix.length + 1), `${r.n?.N}/${r.amt?.N}`]),
      );
    const expected = { sg1: '0/0', sgpoison: '0/0', sg2: '1/3' };
    expect({ v1: byGroup('tallies'), v2: byGroup('tallies.v2') }).toEqual({ v1: expected, v2: expected });
  });
});
