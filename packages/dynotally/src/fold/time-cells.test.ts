import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { TimeCells } from './time-cells.ts';

const rollup = defineRollup({
  name: 'storeType',
  groupBy: ['storeId', 'type'],
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Europe/London',
  granularities: ['minute', 'hour', 'day', 'month'],
  measures: { events: count() },
}).compiled;

/** What an entry says about `t`, compared with a fresh cache's answer. */
const view = (cells: TimeCells, t: number) => {
  const at = cells.at(t);
  return { inSpan: t >= at.start && t < at.end, hosts: at.hosts.map((h) => h.label), cells: at.cells };
};

describe('TimeCells.at', () => {
  it('answers for the instant asked, when old and new instants alternate (a modify: old image, then new)', () => {
    const now = Date.UTC(2026, 9, 25, 0, 30); // the hour London's clocks go back
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = now + i * 17_000;
      times.push(t, t - ((i * 7919) % 300) * 60_000, t, t + 1, t - 3_600_000);
    }
    const cells = new TimeCells(rollup);
    for (const t of times) {
      const got = view(cells, t);
      expect(got.inSpan, String(t)).toBe(true);
      expect(got, String(t)).toEqual(view(new TimeCells(rollup), t));
    }
  });
});
