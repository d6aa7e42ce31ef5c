import { describe, expect, it } from 'vitest';
import { ThroughputMeter } from './worker-stats.ts';

describe('ThroughputMeter', () => {
  it('reports records per second over the last ten seconds', () => {
    let now = 1_000_000;
    const meter = new ThroughputMeter(10, () => now, now - 60_000);
    meter.add(50);
    now += 1_000;
    meter.add(30);
    expect(meter.rate()).toBe(8);
    now += 9_500; // the first second has left the window
    expect(meter.rate()).toBe(3);
    now += 20_000;
    expect(meter.rate()).toBe(0);
  });

  it('does not dilute the first seconds after start', () => {
    let now = 5_000;
    const meter = new ThroughputMeter(10, () => now, now);
    meter.add(100);
    now += 2_000;
    expect(meter.rate()).toBe(50);
  });
});
