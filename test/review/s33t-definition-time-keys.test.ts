// Review s33t (time, definition): defineRollup ignores keys it does not know. A rollup written with
// `timezone: 'Europe/London'` (lower-case z, as in many libraries' options) or `tz` is silently a UTC rollup: every
// day, week, month and year bucket is cut at UTC midnight, and nothing says so until the counts look wrong (they are
// already stored in the wrong buckets). Likewise `weekStart: 'sunday'` is dropped (weeks are ISO, Monday first) and
// `time: { attribute, format, zone }` drops `zone`. TypeScript object literals are caught by excess-property checks,
// but JavaScript configs, spread or JSON-built configs are not. Defect: bad input not refused at definition time
// (the module's contract: "Every mistake throws a DynotallyError here, at definition time").
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';

const codeOf = (extra: Record<string, unknown>): string | undefined => {
  const config = {
    name: 'orders',
    groupBy: 'storeId',
    granularities: ['day', 'week', 'month'],
    measures: { n: count() },
  };
  try {
    defineRollup({ ...config, ...extra } as never);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('time options a rollup does not know', () => {
  it('a misspelt zone key (timezone, tz) is refused, not a silent UTC rollup', () => {
    expect([codeOf({ timezone: 'Europe/London' }), codeOf({ tz: 'Europe/London' })]).toEqual([
      'DEFINITION_INVALID',
      'DEFINITION_INVALID',
    ]);
  });

  it('a week start the rollup cannot honour (weeks are ISO) is refused', () => {
    expect(codeOf({ weekStart: 'sunday' })).toBe('DEFINITION_INVALID');
  });

  it('a key the time spec does not take is refused', () => {
    expect(codeOf({ time: { attribute: 'createdAt', format: 'iso8601', zone: 'Europe/London' } })).toBe(
      'DEFINITION_INVALID',
    );
  });
});
