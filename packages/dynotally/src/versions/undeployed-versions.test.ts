// Which versions a stream side leaves out of its batches although they are written: newer ones (registered by a newer
// deployment) whose definition it does not deploy. The versioned write side fails the batch on them
// (VERSION_NOT_DEPLOYED) instead of applying it without them. Pure, no I/O.
import { describe, expect, it } from 'vitest';
import { storeCountConfig, storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { defineRollup, sum } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import type { ControlItem, VersionEntry, VersionState } from './control-item.ts';
import { rebuildFingerprint } from './rebuild.ts';
import { refuseUndeployed, undeployedNewerVersions } from './undeployed-versions.ts';

const a = storeCountRollup.compiled;
const b = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
}).compiled;
const c = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] }).compiled;

const entry = (version: number, fingerprint: string, state: VersionState): VersionEntry => ({
  version,
  fingerprint,
  state,
  registeredAt: 0,
  needsBackfill: version > 1,
});
const control = (...versions: VersionEntry[]): ControlItem => ({
  rollup: 'store',
  serving: versions.find((v) => v.state === 'serving')?.version,
  next: versions.length + 1,
  versions,
});
const numbers = (vs: VersionEntry[]) => vs.map((v) => v.version);

describe('undeployedNewerVersions', () => {
  it('names a newer building, ready or serving version of a definition the side does not deploy', () => {
    for (const state of ['building', 'ready', 'serving'] as const) {
      const ctl = control(
        entry(1, a.fingerprint, state === 'serving' ? 'retired' : 'serving'),
        entry(2, b.fingerprint, state),
      );
      expect(numbers(undeployedNewerVersions(ctl, [a]))).toEqual([2]);
    }
  });

  it('names nothing the side deploys, retired, or older than its own versions', () => {
    const ctl = control(entry(1, a.fingerprint, 'serving'), entry(2, b.fingerprint, 'building'));
    // the library's single deployment with both definitions, and the new deployment alone (version 1 serving)
    expect(undeployedNewerVersions(ctl, [a, b])).toEqual([]);
    expect(undeployedNewerVersions(ctl, [b])).toEqual([]);
    // rolled back: version 2 retired
    expect(
      undeployedNewerVersions(
        control(entry(1, a.fingerprint, 'serving'), entry(2, b.fingerprint, 'retired')),
        [a],
      ),
    ).toEqual([]);
    // a definition changed twice: version 2 (b) is older than the deployed c's version 3
    const twice = control(
      entry(1, a.fingerprint, 'serving'),
      entry(2, b.fingerprint, 'building'),
      entry(3, c.fingerprint, 'building'),
    );
    expect(undeployedNewerVersions(twice, [c])).toEqual([]);
    expect(numbers(undeployedNewerVersions(twice, [b]))).toEqual([3]);
  });

  it('counts a rebuild as its definition: known when it is deployed, newer when it is not', () => {
    const mine = control(
      entry(1, a.fingerprint, 'serving'),
      entry(2, rebuildFingerprint(a.fingerprint, 2), 'building'),
    );
    expect(undeployedNewerVersions(mine, [a])).toEqual([]);
    const theirs = control(
      entry(1, a.fingerprint, 'serving'),
      entry(2, b.fingerprint, 'retired'),
      entry(3, rebuildFingerprint(b.fingerprint, 3), 'building'),
    );
    expect(numbers(undeployedNewerVersions(theirs, [a]))).toEqual([3]);
    // a rebuild of the deployed definition does not hide another definition's version registered before it
    const both = control(
      entry(1, a.fingerprint, 'serving'),
      entry(2, b.fingerprint, 'building'),
      entry(3, rebuildFingerprint(a.fingerprint, 3), 'building'),
    );
    expect(numbers(undeployedNewerVersions(both, [a]))).toEqual([2]);
  });

  it("sets no bound for a deployed definition not registered yet (register: 'first'), nor without a control item", () => {
    const ctl = control(entry(1, a.fingerprint, 'serving'));
    expect(undeployedNewerVersions(ctl, [a, b])).toEqual([]);
    expect(undeployedNewerVersions(ctl, [b])).toEqual([]);
    expect(undeployedNewerVersions(undefined, [a])).toEqual([]);
  });
});

describe('refuseUndeployed', () => {
  it('throws VERSION_NOT_DEPLOYED naming the rollup, the version, its state and the ways out', () => {
    const ctl = control(entry(1, a.fingerprint, 'serving'), entry(2, b.fingerprint, 'building'));
    let error: unknown;
    try {
      refuseUndeployed(new Map([['store', [a]]]), new Map([['store', ctl]]));
    } catch (e) {
      error = e;
    }
    if (!isDynotallyError(error, 'VERSION_NOT_DEPLOYED'))
      throw new Error(`expected VERSION_NOT_DEPLOYED, got ${String(error)}`);
    expect(error.message).toContain(
      "rollup 'store': a newer definition (version 2, building) is registered that this process does not deploy",
    );
    expect(error.message).toContain('dynotally rollups retire store 2');
    expect(error.details).toEqual({
      rollup: 'store',
      versions: [{ version: 2, state: 'building', fingerprint: b.fingerprint }],
    });
    expect(() => refuseUndeployed(new Map([['store', [a, b]]]), new Map([['store', ctl]]))).not.toThrow();
  });
});
