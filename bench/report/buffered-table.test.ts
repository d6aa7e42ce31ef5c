import { describe, expect, it } from 'vitest';
import type { BufferedBenchMode, BufferedBenchResult } from '../suites/buffered.ts';
import { bufferedMarkdown } from './buffered-table.ts';

const mode = (over: Partial<BufferedBenchMode>): BufferedBenchMode => ({
  label: 'direct (exactly-once, row-watermark)',
  writes: 2_000,
  writeUnits: 2_000,
  writeUnitsPerEvent: 1,
  requestsPerEvent: 0.25,
  metering: 'priced',
  seconds: 10,
  eventsPerSecond: 200,
  correct: true,
  wrongAggregates: 0,
  ...over,
});

const result = (buffered: Partial<BufferedBenchMode>, meetsTarget: boolean): BufferedBenchResult => ({
  events: 2_000,
  batchSize: 100,
  bucketMs: 900_000,
  spanMs: 7_200_000,
  stores: 20,
  seed: 1,
  direct: mode({}),
  pricing: 'images',
  buffered: {
    ...mode({ label: 'buffered (Redis, 15-minute buckets)', ...buffered }),
    applySeconds: 1,
    flushSeconds: 1,
    flushes: 8,
    bucketsFlushed: 8,
    peakRedisBytes: 2 ** 20,
  },
  targetWriteUnitsPerEvent: 0.2,
  meetsTarget,
});

describe('bufferedMarkdown', () => {
  it('shows buffered against direct and the cost target', () => {
    const md = bufferedMarkdown(result({ writeUnitsPerEvent: 0.1, eventsPerSecond: 1_000 }, true));
    expect(md).toContain(
      '| buffered (Redis, 15-minute buckets) | 1,000 | 5.0× | 0.250 | 0.100 | 0.10× | priced | ✓ |',
    );
    expect(md).toContain('Target ≤ 0.2 write units per event buffered: met (0.100)');
  });

  it('shows direct on UpdateItem beside direct on PartiQL, with the ratios against PartiQL', () => {
    const md = bufferedMarkdown({
      ...result({ writeUnitsPerEvent: 0.1, eventsPerSecond: 1_000 }, true),
      direct: mode({ label: 'direct (PartiQL)', eventsPerSecond: 400, writeUnitsPerEvent: 1.6 }),
      directUpdateItem: mode({
        label: 'direct (UpdateItem)',
        eventsPerSecond: 200,
        writeUnitsPerEvent: 1.6,
        requestsPerEvent: 1.6,
      }),
    });
    expect(md).toContain('| direct (PartiQL) | 400 |  | 0.250 | 1.600 |  | priced | ✓ |');
    expect(md).toContain('| direct (UpdateItem) | 200 | 0.50× | 1.600 | 1.600 | 1.0× | priced | ✓ |');
    expect(md).toContain(
      '| buffered (Redis, 15-minute buckets) | 1,000 | 2.5× | 0.250 | 0.100 | 0.06× | priced | ✓ |',
    );
    expect(md).toContain('× direct (PartiQL)');
  });

  it('reports a wrong buffered mode as WRONG and the target as missed', () => {
    const md = bufferedMarkdown(
      result({ writeUnitsPerEvent: 0.1, correct: false, wrongAggregates: 3 }, true),
    );
    expect(md).toContain('WRONG (3 aggregates differ)');
    expect(md).toContain('**missed**');
  });
});
