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

  it('keeps a span it has made while no other span takes its slot: more spans than slots evict one entry each, not the cache', () => {
    // 8,300 minutes: more than the 8,192 slots, so the first 108 minutes share theirs with the last 108
    const start = Date.UTC(2026, 9, 1);
    const minute = (k: number) => start + k * 60_000 + 30_000;
    const cells = new TimeCells(rollup);
    const first = new Map<number, unknown>();
    for (let k = 0; k < 8300; k++) first.set(k, cells.at(minute(k)));
    for (let k = 108; k < 8192; k++) expect(cells.at(minute(k)), String(k)).toBe(first.get(k));
    // a minute whose slot was taken is made again, and answers for its own instant
    expect(cells.at(minute(0))).not.toBe(first.get(0));
    expect(view(cells, minute(0))).toEqual(view(new TimeCells(rollup), minute(0)));
  });

  it('starts with a small table (a folder made for one record) and doubles it only when spans collide', () => {
    const cells = new TimeCells(rollup);
    const slots = () => (cells as unknown as { table: unknown[] }).table.length;
    const start = Date.UTC(2026, 9, 1);
    for (let k = 0; k < 64; k++) cells.at(start + k * 60_000);
    expect(slots()).toBe(64);
    cells.at(start + 64 * 60_000); // the slot of minute 0
    expect(slots()).toBe(128);
  });
});
