// `dynotally worker` writes through rollup versions: its flags, the strategy it refuses, and when buffered mode
// (version 1 only) refuses to start. In process, no I/O.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError, type WriteSide } from 'dynotally';
import { isBufferedVersionRefusal } from 'dynotally/redis';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../../test/support/error-of.ts';
import { fakeIo } from '../../../../../test/support/fake-io.ts';
import { storeCountRollup } from '../../../../../test/support/store-count-rollup.ts';
import { runCli } from '../run-cli.ts';
import { guardedBufferedSide } from './buffered-versions.ts';
import { directWriteSide } from './worker-direct.ts';

const nowhere = ['--endpoint', 'http://127.0.0.1:9'];

describe('dynotally worker: version flags', () => {
  it('--first-version takes serving or building: another value is exit code 2 naming both', async () => {
    const io = fakeIo({ cwd: process.cwd() });
    expect(await runCli(['worker', '--first-version', 'later', ...nowhere], io)).toBe(2);
    expect(io.err).toMatch(
      /^dynotally: \[CONFIG_INVALID\] .*--first-version.*expected 'serving' or 'building'/,
    );
  });

  it('--first-version and --claim-table with --redis are exit code 2 (the buffer writes version 1 only)', async () => {
    const io = fakeIo({ cwd: process.cwd() });
    const args = ['worker', '--redis', 'redis://127.0.0.1:9', '--first-version', 'building', ...nowhere];
    expect(await runCli(args, io)).toBe(2);
    expect(io.err).toContain(
      '[CONFIG_INVALID] worker: --first-version only applies without --redis (the Redis buffer writes version 1 only)',
    );
    const both = fakeIo({ cwd: process.cwd() });
    expect(await runCli([...args, '--claim-table', 'claims'], both)).toBe(2);
    expect(both.err).toContain('--first-version, --claim-table only apply without --redis');
  });

  it("refuses strategy 'transaction', which rollup versions cannot use", () => {
    const settings = {
      mode: 'exactly-once' as const,
      strategy: 'transaction' as const,
      writeApi: undefined,
      rollups: [storeCountRollup],
      alsoWrite: [],
      tables: { source: 's', aggregate: 'a', deadLetter: 'd', leases: 'l' },
    };
    const e = errorOf(() =>
      directWriteSide({} as DynamoDBClient, settings, { firstVersion: 'serving', claimTable: 'c' }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain("drop strategy 'transaction' from the configuration");
  });
});

describe('guardedBufferedSide', () => {
  const failing = (e: unknown): WriteSide => ({
    rollups: [storeCountRollup.compiled],
    apply: async () => {
      throw e;
    },
  });

  it("stops the worker on the applier's refusal for versions, in the worker's words", async () => {
    const refusal = new DynotallyError('CONFIG_INVALID', 'refused', {
      details: {
        rollup: 'store',
        serving: 2,
        problem: "rollup 'store' serves version 2, and the Redis buffer writes version 1 only",
        refusal: 'buffered-versions',
      },
    });
    const stopped: DynotallyError[] = [];
    const side = guardedBufferedSide(failing(refusal), isBufferedVersionRefusal, (r) => stopped.push(r));
    const thrown = await side.apply({ records: [] }).catch((e: unknown) => e);
    expect(stopped).toEqual([thrown]);
    expect(String(thrown)).toBe(
      "[CONFIG_INVALID] worker --redis: rollup 'store' serves version 2, and the Redis buffer writes version 1 only; run the worker without --redis (it writes every version: dynotally worker --help), or see dynotally rollups status store",
    );
  });

  it('leaves any other failure to the worker', async () => {
    const other = new DynotallyError('CONFIG_INVALID', 'another buffer owns the table');
    const stopped: DynotallyError[] = [];
    const side = guardedBufferedSide(failing(other), isBufferedVersionRefusal, (r) => stopped.push(r));
    expect(await side.apply({ records: [] }).catch((e: unknown) => e)).toBe(other);
    expect(stopped).toEqual([]);
  });
});
