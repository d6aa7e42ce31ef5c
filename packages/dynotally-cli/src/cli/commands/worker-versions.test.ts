// `dynotally worker` writes through rollup versions: its flags, the strategy it refuses, and when buffered mode
// (version 1 only) refuses to start. In process, no I/O.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ControlItem } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../../test/support/error-of.ts';
import { fakeIo } from '../../../../../test/support/fake-io.ts';
import { storeCountRollup } from '../../../../../test/support/store-count-rollup.ts';
import { runCli } from '../run-cli.ts';
import { bufferedVersionProblem } from './buffered-versions.ts';
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

describe('bufferedVersionProblem', () => {
  const fp = storeCountRollup.compiled.fingerprint;
  const entry = (version: number, state: 'building' | 'ready' | 'serving' | 'retired', fingerprint = fp) => ({
    version,
    fingerprint,
    state,
    registeredAt: 0,
    needsBackfill: state === 'building',
  });
  const control = (serving: number | undefined, versions: ReturnType<typeof entry>[]) =>
    ({ rollup: 'store', next: versions.length + 1, serving, versions }) as unknown as ControlItem;

  it('lets the buffer write a rollup without a control item, or whose version 1 serves the configured definition', () => {
    expect(bufferedVersionProblem(storeCountRollup, undefined)).toBeUndefined();
    expect(bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving')]))).toBeUndefined();
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving'), entry(2, 'retired', 'x')])),
    ).toBeUndefined();
  });

  it('names the rollup when another version serves, none does, one is being built, or the definition changed', () => {
    expect(
      bufferedVersionProblem(storeCountRollup, control(2, [entry(1, 'retired'), entry(2, 'serving', 'x')])),
    ).toMatch(/^rollup 'store' serves version 2, and the Redis buffer writes version 1 only$/);
    expect(bufferedVersionProblem(storeCountRollup, control(undefined, [entry(1, 'building')]))).toMatch(
      /^rollup 'store' has no serving version yet/,
    );
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving', 'x'), entry(2, 'building')])),
    ).toMatch(/definition of rollup 'store' is not the one version 1 was registered with/);
    expect(
      bufferedVersionProblem(storeCountRollup, control(1, [entry(1, 'serving'), entry(2, 'ready', 'x')])),
    ).toMatch(/^version 2 of rollup 'store' is being built/);
  });
});
