import { describe, expect, it } from 'vitest';
import { usePrivateDynamoDbLocal } from '../../test/support/private-ddb.ts';
import { runBufferedBench } from './buffered.ts';

// 20–150 s on its own; late in a loaded full run it took over 360 s (image-pricing 395 s, at load 15–17) on the
// run's shared DynamoDB Local, which by then holds hundreds of stream-enabled tables: every write slows as their
// number grows (bench/ddbl/stream-vs-tables.ts), so the file starts its own. Each mode's line goes to stderr, so a
// slow run says where its time went.
describe('runBufferedBench', { timeout: 1_800_000 }, () => {
  const ddbEndpoint = usePrivateDynamoDbLocal();

  it('runs direct (PartiQL and UpdateItem) and buffered mode on the same workload; all equal the oracle and buffering writes less', async () => {
    const endpoint = ddbEndpoint();
    const r = await runBufferedBench({
      endpoint,
      events: 600,
      batchSize: 25,
      spanMs: 2 * 3_600_000,
      stores: 20,
      concurrency: 16,
      log: (line) => process.stderr.write(`[buffered bench ${new Date().toISOString()}] ${line}\n`),
    });
    expect(r.direct?.correct).toBe(true);
    expect(r.directUpdateItem?.correct).toBe(true);
    expect(r.buffered.correct).toBe(true);
    // direct runs on the library's default path (PartiQL) and on UpdateItem: the same rows, written once a
    // batch, cost the same write units, priced from the stream images (DynamoDB Local reports none for
    // PartiQL), and on UpdateItem the priced figure equals what DynamoDB Local reported
    expect(r.pricing).toBe('images');
    expect(r.direct?.metering).toBe('priced');
    expect(r.direct?.writeUnits).toBe(r.directUpdateItem?.writeUnits);
    expect(r.directUpdateItem?.reportedWriteUnits).toBe(r.directUpdateItem?.writeUnits);
    expect(r.direct?.requestsPerEvent).toBeLessThan(r.directUpdateItem?.requestsPerEvent ?? 0);
    expect(r.buffered.bucketsFlushed).toBeGreaterThanOrEqual(7); // about 2 hours of 15-minute buckets
    expect(r.buffered.writeUnitsPerEvent).toBeLessThan(r.direct?.writeUnitsPerEvent ?? 0);
    expect(r.buffered.writeUnitsPerEvent).toBeGreaterThan(0);
    expect(r.buffered.peakRedisBytes).toBeGreaterThan(0);
  });
});
