// Which definition of a configuration reads a rollup's serving version: the configured one, or its alsoWrite one
// during a rollout and after a rollback (query and verify share it).
import { type ControlItem, defineRollup, type Rollup, sum } from 'dynotally';
import { describe, expect, it } from 'vitest';
import {
  storeCountRollup as before,
  storeCountConfig,
} from '../../../../../test/support/store-count-rollup.ts';
import { servingDefinition } from './serving-definition.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, amount: sum('amount') },
});
type State = 'building' | 'ready' | 'serving' | 'retired';
const entry = (version: number, state: State, rollup: Rollup) => ({
  version,
  fingerprint: rollup.compiled.fingerprint,
  state,
  registeredAt: 0,
  needsBackfill: true,
});
const control = (serving: number | undefined, versions: ReturnType<typeof entry>[]) =>
  ({ rollup: 'store', next: versions.length + 1, serving, versions }) as unknown as ControlItem;
const rollout = { alsoWrite: [before] };

describe('servingDefinition', () => {
  it('reads with the configured definition when it serves, or nothing is registered', () => {
    expect(servingDefinition(rollout, changed, undefined)).toEqual({
      rollup: changed,
      alsoWrite: false,
      problem: undefined,
    });
    const promoted = control(2, [entry(1, 'retired', before), entry(2, 'serving', changed)]);
    expect(servingDefinition(rollout, changed, promoted).rollup).toBe(changed);
  });

  it('reads with the alsoWrite definition during the rollout and after a rollback', () => {
    for (const state of ['building', 'ready', 'retired'] as const) {
      const c = control(1, [entry(1, 'serving', before), entry(2, state, changed)]);
      expect(servingDefinition(rollout, changed, c)).toEqual({
        rollup: before,
        alsoWrite: true,
        problem: undefined,
      });
    }
  });

  it('says what makes the configured definition serve when no definition of the configuration does', () => {
    const c = control(1, [entry(1, 'serving', before), entry(2, 'building', changed)]);
    const found = servingDefinition({ alsoWrite: [] }, changed, c);
    expect(found.rollup).toBe(changed);
    expect(found.problem?.code).toBe('VERSION_BUILDING');
  });
});
