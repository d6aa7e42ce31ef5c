import { describe, expect, it } from 'vitest';
import { isDynotallyError } from '../errors/index.ts';
import { resolveWorkerOptions } from './worker-options.ts';

describe('resolveWorkerOptions', () => {
  it('fills in Lambda-like defaults', () => {
    expect(resolveWorkerOptions({})).toEqual({
      batchSize: 100,
      batchWindowMs: 0,
      pollIntervalMs: 250,
      leaseDurationMs: 10_000,
      heartbeatMs: 3_333,
      discoveryIntervalMs: 30_000,
      startingPosition: 'TRIM_HORIZON',
      maxRetries: 3,
      maxRecordAgeMs: undefined,
      pruneAncestorsAfterMs: 900_000,
      streamGoneAfterMs: 300_000,
      applyTimeoutMs: 300_000,
      readTimeoutMs: 30_000,
      bisectOnError: true,
      retryBaseMs: 200,
      retryMaxMs: 5_000,
    });
    expect(resolveWorkerOptions({ leaseDurationMs: 3_000 }).heartbeatMs).toBe(1_000);
    expect(resolveWorkerOptions({ maxRetries: Number.POSITIVE_INFINITY }).maxRetries).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(resolveWorkerOptions({ applyTimeoutMs: Number.POSITIVE_INFINITY }).applyTimeoutMs).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(resolveWorkerOptions({ readTimeoutMs: Number.POSITIVE_INFINITY }).readTimeoutMs).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize'],
    [{ batchSize: 1001 }, 'batchSize'],
    [{ batchSize: 2.5 }, 'batchSize'],
    [{ heartbeatMs: 6_000 }, 'heartbeatMs'],
    [{ leaseDurationMs: -1 }, 'leaseDurationMs'],
    [{ leaseDurationMs: 2_500, heartbeatMs: 1_000 }, 'must exceed heartbeatMs'],
    [{ startingPosition: 'AT_TIMESTAMP' as never }, 'startingPosition'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ maxRecordAgeMs: Number.NaN }, 'maxRecordAgeMs'],
    [{ applyTimeoutMs: 0 }, 'applyTimeoutMs'],
    [{ applyTimeoutMs: 3_000_000_000 }, 'applyTimeoutMs'],
    [{ applyTimeoutMs: Number.NaN }, 'applyTimeoutMs'],
    [{ readTimeoutMs: 0 }, 'readTimeoutMs'],
    [{ readTimeoutMs: 3_000_000_000 }, 'readTimeoutMs'],
    [{ readTimeoutMs: '5s' as never }, 'readTimeoutMs'],
  ])('rejects %o with CONFIG_INVALID naming %s', (options, name) => {
    let error: unknown;
    try {
      resolveWorkerOptions(options);
    } catch (e) {
      error = e;
    }
    expect(isDynotallyError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(name);
  });
});
