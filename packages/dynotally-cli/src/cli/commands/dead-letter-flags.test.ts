import { isDynotallyError } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { jsonReplacer } from '../context.ts';
import { jsonArrayStream } from '../output/json-array-stream.ts';
import { tableStream } from '../output/table-stream.ts';
import { letterFilter, letterTime } from './dead-letter-flags.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const refused = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isDynotallyError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error('not refused');
};

describe('dead-letter filter flags', () => {
  it('reads ISO-8601, epoch ms and durations back from now', () => {
    expect(letterTime('--since', '24h', NOW)).toBe(NOW - 86_400_000);
    expect(letterTime('--since', '2026-12-07', NOW)).toBe(Date.UTC(2026, 11, 7));
    expect(letterTime('--since', '2026-12-07T10:00:00+01:00', NOW)).toBe(Date.UTC(2026, 11, 7, 9));
    expect(letterTime('--until', '1796637600000', NOW)).toBe(1_796_637_600_000);
  });

  it('refuses what is no time, a date-time without its zone, epoch seconds and an empty window', () => {
    expect(refused(() => letterTime('--since', 'yesterday', NOW))).toMatch(
      /^--since: 'yesterday' is not a time/,
    );
    expect(refused(() => letterTime('--since', '2026-12-07T10:00', NOW))).toMatch(/not a time/);
    expect(refused(() => letterTime('--until', '1796637600', NOW))).toMatch(/^--until: .*10 digits/);
    expect(refused(() => letterTime('--since', '2026-02-31', NOW))).toMatch(
      /^--since: '2026-02-31' is not a date that exists/,
    );
    expect(refused(() => letterFilter({ since: '1h', until: '2h' }, NOW))).toMatch(
      /^--since: .* is not before --until/,
    );
  });

  it('takes codes repeated and as comma lists, once each, and refuses lower case', () => {
    expect(letterFilter({ code: ['RETRIES_EXHAUSTED,ROW_REJECTED', 'ROW_REJECTED'] }, NOW)).toEqual({
      codes: ['RETRIES_EXHAUSTED', 'ROW_REJECTED'],
    });
    expect(refused(() => letterFilter({ code: ['retries'] }, NOW))).toMatch(
      /^--code: 'retries' is not a dead-letter code/,
    );
    expect(refused(() => letterFilter({ code: [','] }, NOW))).toMatch(/^--code: give a code/);
    expect(refused(() => letterFilter({ rollup: 'a b' }, NOW))).toMatch(/^--rollup/);
    expect(letterFilter({}, NOW)).toEqual({});
  });
});

describe('output a batch at a time', () => {
  it('jsonArrayStream writes what JSON.stringify writes for the whole object', () => {
    for (const items of [[], [{ id: 'a', n: 1n }], [{ id: 'a', x: [1, { y: 2 }] }, { id: 'b' }]]) {
      let out = '';
      const s = jsonArrayStream('results', (t) => {
        out += t;
      });
      for (const i of items) s.push(i);
      s.end();
      expect(out).toBe(`${JSON.stringify({ results: items }, jsonReplacer, 2)}\n`);
    }
  });

  it('tableStream prints one header and widens columns as cells come', () => {
    const t = tableStream<{ id: string; n: number }>([
      { header: 'ID', value: (r) => r.id },
      { header: 'N', value: (r) => r.n, align: 'right' },
    ]);
    expect(t.rows([])).toBe('');
    expect(t.rows([{ id: 'a', n: 1 }])).toBe('ID  N\n--  -\na   1\n');
    expect(t.rows([{ id: 'abcd', n: 1000 }])).toBe('abcd  1,000\n');
    // the wider column stays wide for the rows after it
    expect(t.rows([{ id: 'b', n: 2 }])).toBe('b         2\n');
    expect(t.count).toBe(3);
  });
});

// Review s42x: a time past what a Date holds (17 digits of epoch ms, or a duration of two million years back) made
// `--since … --until …` throw a bare RangeError (the window's message formats both with toISOString), exit 1 rather
// than a usage error; the library's checkFilter did the same for such a since / until. Fixed: letterTime refuses a
// time past ±8.64e15 ms (inDateRange), and checkFilter refuses a since / until past it.
describe('review s42x: times past what a Date holds', () => {
  it('refuses them as usage errors naming the flag', () => {
    expect(refused(() => letterFilter({ since: '99999999999999999', until: '2026-12-07' }, NOW))).toMatch(
      /^--since: '99999999999999999' is not a time: it falls past what a date holds/,
    );
    expect(refused(() => letterFilter({ since: '1h', until: '104249991374w' }, NOW))).toMatch(
      /^--until: '104249991374w' is not a time/,
    );
    expect(letterTime('--until', '8640000000000000', NOW)).toBe(8.64e15);
  });
});

// Review s42x: `dead-letters list --json` and `replay --json` write their array an element at a time; an error between
// two pages or letters (a read throttled past its retries) left stdout an unterminated `{ "results": [ {…}` that no
// JSON parser reads (before session 42 nothing was printed then). Fixed: jsonArrayStream's close(), called in the
// commands' finally, ends an array left open (nothing when no element was written).
describe('review s42x: a JSON array an error leaves open', () => {
  it('close() ends it after an error, writes nothing for no element, and nothing after end()', () => {
    let out = '';
    const s = jsonArrayStream('results', (t) => {
      out += t;
    });
    try {
      s.push({ id: 'a' });
      throw new Error('throttled');
    } catch {
      // the command's error goes to stderr
    } finally {
      s.close();
    }
    expect(JSON.parse(out)).toEqual({ results: [{ id: 'a' }] });
    let none = '';
    jsonArrayStream('results', (t) => {
      none += t;
    }).close();
    expect(none).toBe('');
    let once = '';
    const done = jsonArrayStream('results', (t) => {
      once += t;
    });
    done.push({ id: 'b' });
    done.end();
    done.close();
    expect(JSON.parse(once)).toEqual({ results: [{ id: 'b' }] });
  });
});
