// What `dynotally query` says when the configured definition of a rollup is not the serving one.
import type { ControlItem } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { storeCountRollup } from '../../../../../test/support/store-count-rollup.ts';
import { queryVersionProblem } from './query-versions.ts';

const fp = storeCountRollup.compiled.fingerprint;
type State = 'building' | 'ready' | 'serving' | 'retired';
const entry = (version: number, state: State, fingerprint: string, started = false) => ({
  version,
  fingerprint,
  state,
  registeredAt: 0,
  needsBackfill: true,
  ...(started ? { backfill: { startedAt: 1, segments: 4 } } : {}),
});
const control = (serving: number | undefined, versions: ReturnType<typeof entry>[]) =>
  ({ rollup: 'store', next: versions.length + 1, serving, versions }) as unknown as ControlItem;

describe('queryVersionProblem', () => {
  it('answers when nothing is registered, or a version of the configured definition (or a rebuild of it) serves', () => {
    expect(queryVersionProblem(storeCountRollup, undefined)).toBeUndefined();
    expect(queryVersionProblem(storeCountRollup, control(1, [entry(1, 'serving', fp)]))).toBeUndefined();
    const rebuilt = control(2, [entry(1, 'retired', fp), entry(2, 'serving', `${fp}~2`)]);
    expect(queryVersionProblem(storeCountRollup, rebuilt)).toBeUndefined();
  });

  it('says which version the configured definition is and the command that makes it serve', () => {
    const cases: Array<[ControlItem, string, string]> = [
      [
        control(1, [entry(1, 'serving', 'old'), entry(2, 'building', fp)]),
        'VERSION_BUILDING',
        "rollup 'store' serves version 1 (another definition than the config's); the config's definition is version 2, building: run dynotally backfill store --promote",
      ],
      [
        control(1, [entry(1, 'serving', 'old'), entry(2, 'building', fp, true)]),
        'VERSION_BUILDING',
        'building: run dynotally backfill store --resume --promote',
      ],
      [
        control(1, [entry(1, 'serving', 'old'), entry(2, 'ready', fp)]),
        'VERSION_BUILDING',
        "the config's definition is version 2, built: run dynotally rollups promote store 2",
      ],
      [
        control(undefined, [entry(1, 'building', fp)]),
        'VERSION_BUILDING',
        "rollup 'store' has no serving version yet; the config's definition is version 1, building: run dynotally backfill store --promote",
      ],
      [
        control(1, [entry(1, 'serving', 'old')]),
        'VERSION_UNKNOWN',
        "the config's definition is not registered yet: run dynotally worker (it registers it as a new version), then dynotally backfill store --promote",
      ],
      [
        control(2, [entry(1, 'retired', fp), entry(2, 'serving', 'new')]),
        'VERSION_UNKNOWN',
        "the config's definition is version 1, retired: put the serving definition back in the config, or rebuild this one with dynotally verify store --repair",
      ],
    ];
    for (const [c, code, text] of cases) {
      const e = queryVersionProblem(storeCountRollup, c);
      expect({ code: e?.code, message: e?.message }).toMatchObject({
        code,
        message: expect.stringContaining(text),
      });
    }
  });
});
