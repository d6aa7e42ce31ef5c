// Review s28r, H1 (createStreamHandler dead-letters late records by default): `lateRecords` was not checked. Only
// the exact string 'dead-letter' turned the guard on, so a value from plain JavaScript or an environment variable
// with a typo ('deadletter', 'dead_letter', 'DEAD-LETTER') silently meant 'apply' — on the handler too, where the
// typo replaced the new default — and a late record was counted where it may count twice. The Applier checks its
// other options for exactly this reason ("a typo must not drop exactly-once"). Now the Applier (so the handler's
// built-in one), the Redis buffered applier and createVersionedWriteSide (`apply.lateRecords`) refuse any other
// value with CONFIG_INVALID when they are built.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());
const env = useBufferEnv();

const jobs = lateJobs;
const NOW = LATE_NOW;
const quiet = silent;
const typo = 'deadletter' as unknown as 'dead-letter';
const refused = expect.objectContaining({
  code: 'CONFIG_INVALID',
  message: expect.stringMatching(/lateRecords/),
});

describe('review s28r: lateRecords from plain JavaScript', () => {
  it('a typo on the handler is refused when it is built, not taken for apply (a late record counted)', async () => {
    const table = uniqueTableName('s28r-late-typo');
    await createAggregateTable(clients.ddb, table);
    const build = () =>
      createStreamHandler({
        rollups: [jobs],
        client: clients.ddb,
        table,
        now: () => NOW,
        deadLetter: { send: async () => {} },
        logger: quiet,
        lateRecords: typo,
      });
    let handler: ReturnType<typeof build> | undefined;
    try {
      handler = build();
    } catch (e) {
      expect(e).toEqual(refused);
      return;
    }
    // built: a record 25 h old goes through it, and is counted although the guard was asked for
    await handler({ shardId: 'shard-1', Records: [writtenAgo('100', 25 * HOUR)] });
    const counted = await countedJobs(clients.ddb, table);
    expect({ built: true, counted }).toEqual({ built: false, counted: undefined });
  });

  it('the Applier, the Redis buffered applier and the versioned write side refuse it too; the two values are taken', () => {
    const common = { client: clients.ddb, table: 'aggregates', rollups: [jobs] };
    expect(() => new Applier({ ...common, lateRecords: typo })).toThrow(refused);
    const buffered = { ...common, redis: env.redis, keyPrefix: 's28r-typo:{b}:' };
    expect(() => createBufferedApplier({ ...buffered, lateRecords: typo })).toThrow(refused);
    // and the versioned write side when it is built, not at its first batch
    expect(() => createVersionedWriteSide({ ...common, apply: { lateRecords: typo } })).toThrow(refused);
    for (const lateRecords of ['apply', 'dead-letter'] as const) {
      expect(() => new Applier({ ...common, lateRecords })).not.toThrow();
      expect(() => createBufferedApplier({ ...buffered, lateRecords })).not.toThrow();
    }
  });
});
