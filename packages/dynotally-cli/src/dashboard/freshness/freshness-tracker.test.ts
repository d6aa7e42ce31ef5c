import { describe, expect, it } from 'vitest';
import type { SourceChange, WrittenChange } from '../../scenarios/generators/index.ts';
import { FreshnessTracker } from './freshness-tracker.ts';
import type { FreshnessProbe } from './probe.ts';

/** A probe over an in-memory "visible" table the test controls (the tracker's logic, not DynamoDB's). */
function fakeProbe(kind: 'value' | 'time', visible: Map<string, number>): FreshnessProbe {
  return {
    id: 's2',
    kind,
    groups: ['a', 'b'],
    effect: (c: SourceChange) =>
      kind === 'time'
        ? [[c.group, Number((c as unknown as { item: { ts: number } }).item.ts)]]
        : [[c.group, c.kind === 'delete' ? -1 : c.kind === 'insert' ? 1 : 0]],
    read: async (groups) => new Map(groups.map((g) => [g, visible.get(g) ?? 0])),
  };
}

const insert = (group: string, writtenAt: number, ts = 0): WrittenChange => ({
  change: { kind: 'insert', item: { pk: group, sk: String(writtenAt), ts }, group },
  writtenAt,
});
const remove = (group: string, writtenAt: number): WrittenChange => ({
  change: { kind: 'delete', key: { pk: group, sk: '1' }, group, previous: { pk: group, sk: '1' } },
  writtenAt,
});

describe('FreshnessTracker', () => {
  it('samples write → visible for value probes, from the baseline read at start', async () => {
    let now = 1_000;
    const visible = new Map([['a', 10]]);
    const t = new FreshnessTracker({
      probes: [fakeProbe('value', visible)],
      now: () => now,
      tickMs: 100_000,
    });
    await t.start();
    t.record('s2', [insert('a', 1_000), insert('a', 1_100)]);
    now = 1_500;
    await t.check(); // nothing visible yet
    expect(t.view('s2')).toMatchObject({ samples: 0, pending: 2 });
    visible.set('a', 11);
    now = 2_000;
    await t.check(); // the first write is visible
    expect(t.view('s2')).toMatchObject({ samples: 1, lastMs: 1_000, pending: 1 });
    visible.set('a', 12);
    now = 2_600;
    await t.check();
    expect(t.view('s2')).toMatchObject({ samples: 2, lastMs: 1_500, pending: 0, p50Ms: 1_500 });
    await t.stop();
  });

  it('waits while the value is ambiguous (+1 then −1) and resolves once it is not', async () => {
    let now = 0;
    const visible = new Map([['b', 5]]);
    const t = new FreshnessTracker({
      probes: [fakeProbe('value', visible)],
      now: () => now,
      tickMs: 100_000,
    });
    await t.start();
    t.record('s2', [insert('b', 100), remove('b', 200)]); // expected 6, then back to 5
    now = 1_000;
    await t.check(); // 5 matches "nothing visible" and "both visible": no sample
    expect(t.view('s2')).toMatchObject({ samples: 0, pending: 2 });
    t.record('s2', [insert('b', 1_100)]); // expected 6 again — still ambiguous with the first
    visible.set('b', 6);
    now = 2_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ samples: 0, pending: 3 });
    t.record('s2', [insert('b', 2_100)]); // 7 is unique
    visible.set('b', 7);
    now = 3_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ samples: 1, lastMs: 900, pending: 0 });
  });

  it('re-synchronises a quiet group whose value matches no expectation, and times writes out', async () => {
    let now = 0;
    const visible = new Map([['a', 0]]);
    const t = new FreshnessTracker({
      probes: [fakeProbe('value', visible)],
      now: () => now,
      tickMs: 100_000,
      timeoutMs: 5_000,
      resyncAfterMs: 2_000,
    });
    await t.start();
    t.record('s2', [insert('a', 0)]);
    visible.set('a', 40); // someone else wrote to the table
    now = 1_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ resyncs: 0, pending: 1 });
    now = 3_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ resyncs: 1, pending: 0, samples: 0 });
    t.record('s2', [insert('a', 3_000)]); // expects 41, which never shows
    now = 9_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ timedOut: 1, pending: 0 });
  });

  it('uses the latest event time for time probes, ignoring writes before start', async () => {
    let now = 0;
    const visible = new Map([['a', 50]]);
    const t = new FreshnessTracker({ probes: [fakeProbe('time', visible)], now: () => now, tickMs: 100_000 });
    t.record('s2', [insert('a', 0, 60)]); // before start: not measured
    await t.start();
    t.record('s2', [insert('a', 100, 70), insert('a', 200, 80)]);
    visible.set('a', 70);
    now = 700;
    await t.check();
    expect(t.view('s2')).toMatchObject({ method: 'latest-time', samples: 1, lastMs: 600, pending: 1 });
    visible.set('a', 90);
    now = 1_000;
    await t.check();
    expect(t.view('s2')).toMatchObject({ samples: 2, lastMs: 800, pending: 0 });
  });
});
