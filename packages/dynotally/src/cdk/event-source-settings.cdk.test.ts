import { Duration, Lazy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { EVENT_SOURCE_DEFAULTS, eventSourceSettings } from './index.ts';

describe('eventSourceSettings', () => {
  it('exactly-once defaults: a 1 s tumbling window and one batch per shard', () => {
    const s = eventSourceSettings({}, 'exactly-once');
    expect(s.tumblingWindow?.toSeconds()).toBe(1);
    expect(s.parallelizationFactor).toBe(1);
    expect(s.batchSize).toBe(EVENT_SOURCE_DEFAULTS.batchSize);
    expect(s.maxRecordAge.toHours()).toBe(24);
    expect(s.bisectBatchOnError).toBe(true);
  });

  it('at-least-once has no tumbling window by default and allows up to 10 batches per shard', () => {
    expect(eventSourceSettings({}, 'at-least-once').tumblingWindow).toBeUndefined();
    const s = eventSourceSettings(
      { parallelizationFactor: 10, tumblingWindow: Duration.seconds(5) },
      'at-least-once',
    );
    expect(s.parallelizationFactor).toBe(10);
    expect(s.tumblingWindow?.toSeconds()).toBe(5);
  });

  it('names the option and the way out in its error, and rejects an unknown mode', () => {
    try {
      eventSourceSettings({ parallelizationFactor: 3 }, 'exactly-once');
      expect.unreachable();
    } catch (e) {
      expect(isDynotallyError(e, 'EVENT_SOURCE_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/parallelizationFactor 3.*mode: 'at-least-once'/);
      expect((e as { details: unknown }).details).toMatchObject({
        option: 'parallelizationFactor',
        value: 3,
      });
    }
    expect(() => eventSourceSettings({}, 'exactly-one' as 'exactly-once')).toThrow(/mode must be/);
  });

  it('leaves unresolved tokens to CloudFormation instead of guessing', () => {
    const batchSize = Lazy.number({ produce: () => 100 });
    expect(eventSourceSettings({ batchSize }, 'exactly-once').batchSize).toBe(batchSize);
  });
});
