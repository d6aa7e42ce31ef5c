// Review s28r, H1 (createStreamHandler dead-letters late records by default; a ready write side keeps its own
// setting): `lateRecords` given to the handler beside a ready `applier` was silently ignored. Every other option of
// the built-in applier is refused there (BUILT_IN_APPLIER_OPTIONS, `?: never` in WriteSideStreamHandlerOptions) so
// that nothing the user asks for is dropped, but `lateRecords` was missing from both lists: a deployment that wrote
// `createStreamHandler({ applier: createVersionedWriteSide(…), lateRecords: 'dead-letter' })` from plain JavaScript
// (or from an options object, where TypeScript checks no excess property) believed itself guarded, and its write
// side applied late records (the Applier's default, 'apply'). Now it is CONFIG_INVALID, naming the option.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import {
  createStreamHandler,
  type StreamHandlerOptions,
  type WriteSideStreamHandlerOptions,
} from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent, writtenAgo } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const jobs = lateJobs;
const NOW = LATE_NOW;
const quiet = silent;

describe('review s28r: lateRecords beside a ready write side', () => {
  it('is refused, not ignored while the write side counts a late record', async () => {
    const table = uniqueTableName('s28r-late-beside');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ client: clients.ddb, table, rollups: [jobs], now: () => NOW });
    // an options object (a deployment's, built elsewhere): no excess-property check
    const options: Partial<StreamHandlerOptions> = {
      lateRecords: 'dead-letter',
      deadLetter: { send: async () => {} },
      logger: quiet,
    };
    const build = () =>
      createStreamHandler({ ...options, applier } as unknown as WriteSideStreamHandlerOptions);
    let handler: ReturnType<typeof build> | undefined;
    try {
      handler = build();
    } catch (e) {
      expect(e).toEqual(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/lateRecords/) }),
      );
      return;
    }
    await handler({ shardId: 'shard-1', Records: [writtenAgo('100', 25 * HOUR)] });
    const counted = await countedJobs(clients.ddb, table);
    expect({ built: true, counted }).toEqual({ built: false, counted: undefined });
  });
});
