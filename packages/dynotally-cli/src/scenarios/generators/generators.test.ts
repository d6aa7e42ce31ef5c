import { describe, expect, it } from 'vitest';
import { foldBatch } from '../../../../dynotally/src/fold/index.ts';
import { referenceRollups } from '../rollups.ts';
import { parseScenarioList, SCENARIOS, scenario } from './catalogue.ts';
import { sampleRecords } from './sample-records.ts';
import type { SourceChange, SourceItem } from './types.ts';
import { writeBatches } from './write-changes.ts';

const NOW = Date.UTC(2026, 10, 22, 15, 30, 0);
const compiled = referenceRollups.map((r) => r.compiled);

function run(id: string, n: number, seed = 1): SourceChange[] {
  const gen = scenario(id).create({ seed, rate: 1 });
  return Array.from({ length: n }, (_, i) => gen.next(NOW + i * 200));
}

const puts = (changes: readonly SourceChange[]): SourceItem[] =>
  changes.flatMap((c) => (c.kind === 'delete' ? [] : [c.item]));

describe('scenario generators', () => {
  it.each(SCENARIOS.map((s) => s.id))('%s is deterministic for a seed and varies with it', (id) => {
    expect(run(id, 300, 7)).toEqual(run(id, 300, 7));
    expect(run(id, 300, 7)).not.toEqual(run(id, 300, 8));
  });

  it.each(SCENARIOS.map((s) => s.id))('%s items are folded by their rollup, never poison', (id) => {
    const gen = scenario(id).create({ seed: 3, rate: 1 });
    const changes = [
      ...gen.history(NOW, 200),
      ...Array.from({ length: 600 }, (_, i) => gen.next(NOW + i * 100)),
    ];
    const records = sampleRecords(changes);
    const { poison, coalescer } = foldBatch(compiled, records);
    expect(poison).toEqual([]);
    expect(coalescer.size).toBeGreaterThan(0);
    const own = scenario(id).rollup.compiled;
    const ownOnly = foldBatch([own], records);
    expect(ownOnly.coalescer.size).toBeGreaterThan(0);
    for (const item of puts(changes)) {
      for (const attr of scenario(id).attributes) expect(item[attr], `${id}.${attr}`).toBeDefined();
    }
  });

  it('every scenario makes inserts, modifies or re-sends, and deletes as documented', () => {
    const kinds = (id: string) => new Set(run(id, 2_000).map((c) => c.kind));
    expect(kinds('s0')).toEqual(new Set(['insert', 'modify', 'delete']));
    expect(kinds('s1')).toEqual(new Set(['insert', 'modify', 'delete']));
    expect(kinds('s2')).toEqual(new Set(['insert', 'delete']));
    expect(kinds('s3')).toEqual(new Set(['insert', 'resend']));
    expect(kinds('s4')).toEqual(new Set(['insert', 'modify', 'delete']));
  });

  it('S0 jobs carry epoch-ms createdAt and the most popular customer gets the most jobs (Zipf)', () => {
    const items = puts(run('s0', 3_000));
    const counts = new Map<string, number>();
    for (const item of items) {
      expect(item.type).toBe('job');
      expect(Number(item.createdAt)).toBeGreaterThan(NOW - 3_600_001);
      expect(Number(item.createdAt)).toBeLessThanOrEqual(NOW + 600_000);
      counts.set(String(item.customerId), (counts.get(String(item.customerId)) ?? 0) + 1);
    }
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(sorted[0]?.[0]).toBe('acme');
    expect(sorted[0]?.[1]).toBeGreaterThan(5 * (sorted[sorted.length - 1]?.[1] ?? 0));
  });

  it('S0 history lies within the last 23 hours', () => {
    const hist = scenario('s0').create({ seed: 2 }).history(NOW, 500);
    for (const item of puts(hist)) {
      expect(Number(item.createdAt)).toBeGreaterThanOrEqual(NOW - 23 * 3_600_000);
      expect(Number(item.createdAt)).toBeLessThan(NOW);
    }
  });

  it('S1 scans are stamped ISO-8601 with the project offset, at the same instant', () => {
    for (const item of puts(run('s1', 500))) {
      const iso = String(item.scannedAt);
      expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
      const t = Date.parse(iso);
      expect(t).toBeGreaterThan(NOW - 3_600_001);
      expect(t).toBeLessThanOrEqual(NOW + 600_000);
      expect(Number(item.bytes)).toBeGreaterThan(0);
    }
  });

  it('S1 history stays within this month in New York', () => {
    const hist = puts(scenario('s1').create({ seed: 4 }).history(NOW, 300));
    const monthStart = Date.parse('2026-11-01T00:00:00-04:00'); // EDT ends 1 Nov 2026 at 02:00
    for (const item of hist) {
      expect(Date.parse(String(item.scannedAt))).toBeGreaterThanOrEqual(monthStart);
      expect(Date.parse(String(item.scannedAt))).toBeLessThan(NOW);
    }
  });

  it('S2 only deletes favourites that exist, and never inserts one twice', () => {
    const live = new Set<string>();
    const gen = scenario('s2').create({ seed: 5 });
    const changes = [...gen.history(NOW, 300), ...Array.from({ length: 3_000 }, (_, i) => gen.next(NOW + i))];
    for (const c of changes) {
      if (c.kind === 'delete') {
        expect(live.delete(`${c.key.pk}/${c.key.sk}`)).toBe(true);
      } else {
        expect(c.kind).toBe('insert');
        const key = `${c.item.pk}/${c.item.sk}`;
        expect(live.has(key)).toBe(false);
        live.add(key);
        expect(Number.isInteger(c.item.createdAt)).toBe(true);
        expect(Number(c.item.createdAt)).toBeLessThan(1e11); // seconds, not ms
      }
    }
  });

  it('S3 meters read every 10 s each; a re-send repeats the previous reading exactly', () => {
    const gen = scenario('s3').create({ seed: 6, rate: 0.8 });
    const lastTs = new Map<string, number>();
    let previous: SourceItem | undefined;
    let resends = 0;
    for (let i = 0; i < 2_000; i++) {
      const c = gen.next(NOW + i * 1_250); // 0.8 readings/s
      if (c.kind === 'resend') {
        expect(c.item).toEqual(previous);
        resends++;
        continue;
      }
      expect(c.kind).toBe('insert');
      if (c.kind !== 'insert') continue;
      const ts = Number(c.item.ts);
      const before = lastTs.get(String(c.item.deviceId));
      if (before !== undefined) expect(ts - before).toBe(10);
      lastTs.set(String(c.item.deviceId), ts);
      expect(Number(c.item.wh)).toBeCloseTo((Number(c.item.watts) * 10) / 3600, 3);
      previous = c.item;
    }
    expect(lastTs.size).toBe(7); // ⌊0.8 × 10 × 0.95⌋
    expect(resends).toBeGreaterThan(20);
  });

  it('S3 re-sent readings produce no stream records (DynamoDB emits none for an identical write)', () => {
    const changes = run('s3', 1_000, 9);
    const resends = changes.filter((c) => c.kind === 'resend').length;
    expect(resends).toBeGreaterThan(0);
    expect(sampleRecords(changes)).toHaveLength(changes.length - resends);
  });

  it('S3 grows its fleet with the rate', () => {
    const gen = scenario('s3').create({ seed: 6, rate: 0.3 });
    gen.setRate?.(2);
    const devices = new Set(
      Array.from({ length: 400 }, (_, i) => gen.next(NOW + i * 500))
        .filter((c) => c.kind === 'insert')
        .map((c) => c.group),
    );
    expect(devices.size).toBe(19); // ⌊2 × 10 × 0.95⌋
  });

  it('S4 emits views and orders with epoch-ms ts over many stores, most to store-001', () => {
    const items = puts(run('s4', 3_000));
    const types = new Set(items.map((i) => i.type));
    expect(types).toEqual(new Set(['view', 'order']));
    const perStore = new Map<string, number>();
    for (const i of items) perStore.set(String(i.storeId), (perStore.get(String(i.storeId)) ?? 0) + 1);
    expect([...perStore.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]).toBe('store-001');
    expect(perStore.size).toBeGreaterThan(30);
  });
});

describe('writeBatches', () => {
  it('keeps order, at most 25 per batch, and distinct keys within a batch', () => {
    const changes = run('s4', 400, 11);
    const batches = writeBatches(changes);
    expect(batches.flat()).toEqual(changes);
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(25);
      const keys = b.map((c) =>
        c.kind === 'delete' ? `${c.key.pk}/${c.key.sk}` : `${c.item.pk}/${c.item.sk}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(batches.length).toBeGreaterThan(400 / 25); // modifies of recent events force early cuts
  });
});

describe('scenario lists', () => {
  it('parses ids in catalogue order and rejects unknown ones with the list of known ids', () => {
    expect(parseScenarioList('s4, S0')).toEqual(['s0', 's4']);
    expect(parseScenarioList('all')).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(() => parseScenarioList('s9')).toThrow(/unknown scenario 's9': use one of s0, s1, s2, s3, s4/);
    expect(() => parseScenarioList(' , ')).toThrow(/empty/);
  });
});
