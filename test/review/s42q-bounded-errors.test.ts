// Review s42q (items left by s41v): errors that embed a caller's input were bounded in some messages only.
// - The group's messages quoted an attribute's name whole, and its lone-surrogate message the value whole
//   (JSON.stringify): a megabyte group value or name made a megabyte error; `details` carried the caller's group,
//   names and values whole in every message, bounded or not (duration, instant, number, label, sample).
// - `shownValue` cut at 200 characters wherever that fell, inside a JSON escape too (`\u0001` left as `\u`, a `\\`
//   as a lone backslash).
// - `encodeGroupValue`'s lone-surrogate message cut the value with a bounding of its own (60 characters, inside a
//   character); it now goes through shownValue like the rest.
// Fixed: src/strings/shown-value.ts cuts on an escape boundary and adds shownText (a quoted name or text) and
// shownDetail (a value in details: itself when short, else its cut text); the group, number, duration, instant,
// label, sample, table-name and option messages use them. Break-check: with shownText/shownDetail returning their
// argument and cutText cutting at 200 flat, every case below failed.
// Pure: nothing is sent (the client points at a closed port; explain() plans without I/O).
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { encodeGroupValue } from '../../packages/dynotally/src/layout/group-key.ts';
import { parseInputNumber } from '../../packages/dynotally/src/numbers/dynamo-number.ts';
import { parseNum } from '../../packages/dynotally/src/numbers/num.ts';
import { findMeasure, selectMeasures } from '../../packages/dynotally/src/query/validate.ts';
import { shownValue } from '../../packages/dynotally/src/strings/shown-value.ts';
import { parseDuration } from '../../packages/dynotally/src/time/duration.ts';
import { parseSample } from '../../packages/dynotally/src/verify/sample.ts';
import { planningClient } from '../support/planning-client.ts';

const board = defineRollup({
  name: 'board',
  groupBy: 'g',
  granularities: ['minute', 'hour', 'day'],
  measures: { n: count() },
});
const byFn = defineRollup({
  name: 'byFn',
  groupBy: { names: ['g'], fn: (item: { g?: string }) => ({ g: String(item.g) }) },
  granularities: ['hour'],
  measures: { n: count() },
});
const query = planningClient([board, byFn], Date.UTC(2026, 10, 22, 13, 5));
const MB = 1_000_000;
const big = 'x'.repeat(MB);

/** The coded error `fn` throws, with the sizes of its message and details. */
function refusal(fn: () => unknown): { code: string; message: number; details: number } {
  try {
    fn();
  } catch (e) {
    if (!isDynotallyError(e)) throw e;
    return { code: e.code, message: e.message.length, details: JSON.stringify(e.details).length };
  }
  throw new Error('no error');
}

const bounded = (code: string) => ({
  code,
  message: expect.toSatisfy((n: number) => n < 1_500),
  details: expect.toSatisfy((n: number) => n < 1_000),
});

describe('an error with a megabyte of caller input is a few hundred characters, details too', () => {
  it('the query group: a value with a lone surrogate, a long name, an unstorable { N }, a non-object', () => {
    expect(refusal(() => query.explain.total(board, { g: `${big}\uD83D` }, { last: '1h' }))).toEqual(
      bounded('GROUP_INVALID'),
    );
    expect(refusal(() => query.explain.total(byFn, { [big]: 'x' } as never, { last: '1h' }))).toEqual(
      bounded('GROUP_INVALID'),
    );
    expect(
      refusal(() => query.explain.total(board, { g: 'x', [big]: 'y' } as never, { last: '1h' })),
    ).toEqual(bounded('GROUP_INVALID'));
    expect(
      refusal(() => query.explain.total(board, { g: { N: `1${'0'.repeat(MB)}.5` } }, { last: '1h' })),
    ).toEqual(bounded('GROUP_INVALID'));
    expect(refusal(() => query.explain.total(board, [big] as never, { last: '1h' }))).toEqual(
      bounded('GROUP_INVALID'),
    );
  });

  it('a rollup or measure named by a megabyte', () => {
    expect(refusal(() => query.explain.total(big as never, { g: 'x' } as never, { last: '1h' }))).toEqual(
      bounded('UNKNOWN_ROLLUP'),
    );
    expect(refusal(() => findMeasure(board.compiled, big))).toEqual(bounded('UNKNOWN_MEASURE'));
    expect(refusal(() => selectMeasures(board.compiled, big as never))).toEqual(bounded('QUERY_INVALID'));
  });

  it('group values, numbers, durations, samples', () => {
    expect(refusal(() => encodeGroupValue(`${big}\uD83D`, { rollup: 'r', attribute: big }))).toEqual(
      bounded('VALUE_INVALID'),
    );
    expect(refusal(() => encodeGroupValue({ N: `1${'0'.repeat(MB)}.5` }))).toEqual(bounded('VALUE_INVALID'));
    expect(refusal(() => parseNum(big))).toEqual(bounded('VALUE_INVALID'));
    expect(refusal(() => parseInputNumber(big))).toEqual(bounded('VALUE_INVALID'));
    expect(refusal(() => parseInputNumber(`1${'0'.repeat(MB)}.5`))).toEqual(bounded('VALUE_INVALID'));
    expect(refusal(() => parseDuration(big))).toEqual(bounded('DURATION_INVALID'));
    expect(refusal(() => parseSample(big))).toEqual(bounded('CONFIG_INVALID'));
  });

  it('a short value keeps its details as it was', () => {
    try {
      query.explain.total(board, 'g-1' as never, { last: '1h' });
    } catch (e) {
      expect(isDynotallyError(e) && e.details.group).toBe('g-1');
    }
    try {
      parseDuration('7x');
    } catch (e) {
      expect(isDynotallyError(e) && e.details.input).toBe('7x');
    }
  });
});

describe('shownValue cuts a long value on a JSON escape boundary', () => {
  const shownPart = (v: unknown) => shownValue(v).replace(/… \(\d+ characters\)$/, '');
  it('not inside \\u0001, not after the first backslash of \\\\', () => {
    for (let pad = 190; pad <= 200; pad++) {
      for (const tail of ['\u0001', '\\', '"', '\n', 'é😀']) {
        const part = shownPart('x'.repeat(pad) + tail.repeat(20));
        // the part is a JSON string's opening: closing it parses, so no escape was cut
        expect(() => JSON.parse(`${part}"`), `${pad} ${JSON.stringify(tail)}`).not.toThrow();
        expect(part.length).toBeLessThanOrEqual(200);
        expect(part.length).toBeGreaterThanOrEqual(195);
      }
    }
  });
});
