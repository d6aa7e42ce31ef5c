// Review s43b (item 1): a rollup definition's errors quoted the caller's values whole. `defineRollup({ name })`
// with a 5,000-character name made a 5,104-character DEFINITION_INVALID message (and carried the name whole in
// details); a megabyte measure name, storeAs, time format, ttlDeletes, leaderboard.measure, unknown option key,
// `where` attribute, functionsVersion, duplicated groupBy list or duplicated rollup name did the same. A name that
// was not a string went through `String`, which throws a TypeError on an object without a prototype in place of the
// coded error.
// Fixed: every definition message quotes a caller's value with shownText (a non-string as shownValue shows it) and
// carries it in details with shownDetail (define-rollup.ts, known-keys.ts, compile-where.ts, functions-version.ts,
// the Applier's duplicate-name check, parseGranularity's details).
// Pure: nothing is sent.
import { describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/applier.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { parseGranularity } from '../../packages/dynotally/src/time/granularity.ts';

const big = 'x'.repeat(1_000_000);
const base = { name: 'r', groupBy: 'g', granularities: ['day'], measures: { n: count() } };

/** The coded error `fn` throws, with its message and the size of its details. */
function refusal(fn: () => unknown): { code: string; message: string; details: number } {
  try {
    fn();
  } catch (e) {
    if (!isDynotallyError(e)) throw e;
    return {
      code: e.code,
      message: e.message,
      details: JSON.stringify(e.details, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)).length,
    };
  }
  throw new Error('no error');
}

const define = (config: Record<string, unknown>) => () => defineRollup(config as never);
const bounded = (code: string) => ({
  code,
  message: expect.toSatisfy((m: string) => m.length < 800),
  details: expect.toSatisfy((n: number) => n < 800),
});

describe('a definition error quoting a caller value is bounded', () => {
  it('a 5,000-character rollup name: the name cut, the message a few hundred characters', () => {
    const e = refusal(define({ ...base, name: `n${'a'.repeat(4_998)} ` }));
    expect(e).toEqual(bounded('DEFINITION_INVALID'));
    expect(e.message).toContain(`rollup name 'n${'a'.repeat(199)}… (5000 characters)' is invalid`);
  });

  it('a name with quotes, a newline and unicode: shown as it is when short, never cut inside a character', () => {
    const odd = `it's "q"\n\u00e9😀`;
    expect(refusal(define({ ...base, name: odd })).message).toContain(`rollup name '${odd}' is invalid`);
    // a long one: the cut falls on the emoji's first half, which is left out rather than shown alone
    const long = `${'\'"\n'.repeat(66)}é😀${'z'.repeat(5_000)}`;
    const e = refusal(define({ ...base, name: long }));
    expect(e).toEqual(bounded('DEFINITION_INVALID'));
    expect(e.message).toContain(`rollup name '${'\'"\n'.repeat(66)}é… (${long.length} characters)'`);
    expect(e.message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('a name that is not a string is shown, not thrown on', () => {
    expect(refusal(define({ ...base, name: Object.create(null) })).message).toContain("rollup name '{}'");
    expect(refusal(define({ ...base, name: 10n })).message).toContain("rollup name '10n'");
    expect(refusal(define({ ...base, name: { [big]: 1 } }))).toEqual(bounded('DEFINITION_INVALID'));
  });

  it.each([
    ['a measure name', define({ ...base, measures: { [big]: count() } }), 'MEASURE_INVALID'],
    ['a storeAs', define({ ...base, measures: { n: count({ storeAs: big }) } }), 'MEASURE_INVALID'],
    ['a time format', define({ ...base, time: { attribute: 'ts', format: big } }), 'DEFINITION_INVALID'],
    ['ttlDeletes', define({ ...base, ttlDeletes: big }), 'DEFINITION_INVALID'],
    [
      'leaderboard.measure',
      define({ ...base, leaderboard: { measure: big, granularities: ['day'] } }),
      'MEASURE_INVALID',
    ],
    ['a groupBy list', define({ ...base, groupBy: [big, big] }), 'DEFINITION_INVALID'],
    [
      "a groupBy function's names",
      define({ ...base, groupBy: { names: [big, big], fn: () => ({}) } }),
      'DEFINITION_INVALID',
    ],
    ['an unknown option key', define({ ...base, [big]: 1 }), 'DEFINITION_INVALID'],
    [
      'a where attribute',
      define({ ...base, measures: { n: count({ where: { [big]: {} } as never }) } }),
      'DEFINITION_INVALID',
    ],
    ['functionsVersion', define({ ...base, match: () => true, functionsVersion: big }), 'DEFINITION_INVALID'],
    ['a granularity', () => parseGranularity(big), 'GRANULARITY_INVALID'],
  ] as const)('a megabyte %s', (_label, fn, code) => {
    expect(refusal(fn)).toEqual(bounded(code));
  });

  it('two compiled rollups with one long name', () => {
    const r = defineRollup(base as never).compiled;
    const twin = { ...r, name: big };
    expect(refusal(() => new Applier({ rollups: [twin, twin] } as never))).toEqual(
      bounded('DEFINITION_INVALID'),
    );
  });
});
