// Fixed (session 29, helper-117): `createStreamHandler` takes the mode the CDK construct set its event source mapping
// up for (`DYNOTALLY_MODE`) as its default, and refuses a handler in the other mode with CONFIG_INVALID when made.
// Finding: the construct puts its `mode` in DYNOTALLY_MODE and sets the mapping up for it, but the handler never read
// the variable: its mode was the Applier's default, exactly-once, unless the handler's code copied the variable over
// (docs/deploy.md's example does; a handler written without it, or with `mode: 'exactly-once'` spelled out, does not).
// Mechanism: under `mode: 'at-least-once'` the construct's mapping has no tumbling window (no shard id in the event:
// an exactly-once handler throws SHARD_ID_MISSING on every batch, and the shard stalls for the maximum record age),
// or, with `tumblingWindow` and `parallelizationFactor` > 1, runs several batches of one shard at once: an
// exactly-once handler then takes a batch that lost the race for already applied (its rows' watermarks are past
// it) and its counts are lost silently (deploy.md, "At-least-once", calls this silent).
// Fix: DYNOTALLY_MODE is the built-in applier's default mode (as DEAD_LETTER_TABLE is the default dead-letter table);
// a handler whose own mode (`mode`, or a given Applier's) differs is refused at its cold start, naming both; another
// value of the variable is refused too. The stream worker reads no deployment variables (its options say its mode).
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const saved = process.env.DYNOTALLY_MODE;
afterEach(() => {
  if (saved === undefined) delete process.env.DYNOTALLY_MODE;
  else process.env.DYNOTALLY_MODE = saved;
});

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('the mode the deployment set its mapping up for (DYNOTALLY_MODE)', () => {
  it("is the handler's default: an at-least-once mapping's events (no shard id) are counted", async () => {
    const table = uniqueTableName('s29c-mode');
    await createAggregateTable(clients.ddb, table);
    process.env.DYNOTALLY_MODE = 'at-least-once';
    const handler = createStreamHandler({
      rollups: [lateJobs],
      client: clients.ddb,
      table,
      deadLetter: 'log',
      logger: silent,
      now: () => LATE_NOW,
    });
    // the construct's at-least-once mapping has no tumbling window: Lambda sends no shardId
    const response = await handler({ Records: [writtenAgo('100', HOUR)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(await countedJobs(clients.ddb, table)).toBe('1');
  });

  it('refuses a handler set to the other mode, and a value that is no mode', () => {
    const common = {
      rollups: [lateJobs],
      client: clients.ddb,
      table: 'aggregates',
      deadLetter: 'log',
    } as const;
    process.env.DYNOTALLY_MODE = 'at-least-once';
    expect(codeOf(() => createStreamHandler({ ...common, mode: 'exactly-once' }))).toBe('CONFIG_INVALID');
    expect(
      codeOf(() =>
        createStreamHandler({
          applier: new Applier({ rollups: [lateJobs], client: clients.ddb, table: 'aggregates' }),
          deadLetter: 'log',
          logger: silent,
        }),
      ),
    ).toBe('CONFIG_INVALID');
    // a ready write side says its mode: the versioned one (`versions: true` deployments) is checked too
    const versioned = (apply?: { mode: 'at-least-once' }) => () =>
      createStreamHandler({
        applier: createVersionedWriteSide({
          client: clients.ddb,
          table: 'aggregates',
          rollups: [lateJobs],
          apply,
        }),
        deadLetter: 'log',
        logger: silent,
      });
    expect(codeOf(versioned())).toBe('CONFIG_INVALID');
    expect(codeOf(versioned({ mode: 'at-least-once' }))).toBeUndefined();
    // one that does not say is not checked
    const custom = { rollups: [lateJobs.compiled], apply: async () => ({ report: {}, poison: [] }) };
    expect(
      codeOf(() => createStreamHandler({ applier: custom as never, deadLetter: 'log', logger: silent })),
    ).toBeUndefined();
    process.env.DYNOTALLY_MODE = 'exactly-once';
    expect(codeOf(() => createStreamHandler({ ...common, mode: 'at-least-once' }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => createStreamHandler({ ...common, mode: 'exactly-once' }))).toBeUndefined();
    process.env.DYNOTALLY_MODE = 'exactly_once';
    expect(codeOf(() => createStreamHandler({ ...common }))).toBe('CONFIG_INVALID');
  });

  it('is not read by the stream worker, whose mode is its own option', () => {
    process.env.DYNOTALLY_MODE = 'at-least-once';
    const worker = () =>
      createStreamWorker({
        client: clients.ddb,
        streamsClient: clients.streams,
        sourceTable: 'source',
        leaseTable: 'leases',
        table: 'aggregates',
        rollups: [lateJobs],
        logger: silent,
        mode: 'exactly-once',
      });
    expect(codeOf(worker)).toBeUndefined();
  });
});
