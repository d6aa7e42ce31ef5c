// The dev stack's worker and S4 buffer lines (review s42n): a warning with an error repeats at most once a minute
// and ends with one recovery line when the caller says the part works again (the worker: a progress without a new
// error; the S4 buffer: a bucket flushed, or a clean seal after a seal); before, the worker's warnings had no recovery
// line and the S4 buffer's lines were not rate-limited at all (one per flush tick, per batch).
// Break-check: with `recovered` a no-op, the first test's recovery line is missing; with quietLogger passing every
// line straight to `log`, the second test gets 50 lines; with recoveryOnFlush recovering on every seal, the third
// test says the S4 buffer recovered between two failed flushes.
import { describe, expect, it } from 'vitest';
import { recoveryOnFlush } from './buffered-s4.ts';
import { quietLogger } from './quiet-logger.ts';
import { repeatedLines } from './repeated-lines.ts';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

const setup = (part?: string) => {
  const out: string[] = [];
  let t = Date.UTC(2026, 11, 7, 16, 0, 0);
  const lines = repeatedLines((l) => out.push(l), { now: () => t });
  const logger = quietLogger((l) => out.push(l), lines, part);
  return { out, logger, advance: (ms: number) => (t += ms) };
};

describe('quietLogger with repeated lines (review s42n)', () => {
  it("says a worker warning once, then once a minute, and once when the worker's calls go through again", () => {
    const { out, logger, advance } = setup();
    for (let i = 0; i < 30; i++) {
      logger.warn('GetRecords failed; retrying', { shardId: 'shard-1', error: refused });
      logger.warn('lease renewal failed; the shard stops if the lease runs out', { error: refused });
      advance(500);
    }
    expect(out).toEqual([
      'worker warning: GetRecords failed; retrying: [ECONNREFUSED] connect ECONNREFUSED 127.0.0.1:8000 (repeats: once a minute, with a count)',
      'worker warning: lease renewal failed; the shard stops if the lease runs out: [ECONNREFUSED] connect ECONNREFUSED 127.0.0.1:8000 (repeats: once a minute, with a count)',
    ]);
    advance(60_000);
    logger.warn('GetRecords failed; retrying', { shardId: 'shard-1', error: refused });
    expect(out[2]).toMatch(
      /^worker warning: GetRecords failed; retrying: .*\(30 more failures like it since/,
    );
    logger.recovered('reads and writes go through');
    logger.recovered('reads and writes go through');
    expect(out.slice(3)).toEqual([
      'worker: reads and writes go through again after 61 failed attempts since 16:00:00 UTC',
    ]);
    expect(logger.problems).toBe(61);
  });

  it('rate-limits the S4 buffer lines; a notice without an error has no recovery line', () => {
    const { out, logger } = setup('S4 buffer');
    for (let i = 0; i < 25; i++) {
      logger.error('flush failed (AWS_REQUEST_FAILED); it is retried on the next tick', { error: refused });
      logger.warn('another flusher holds the lock; waiting for it');
    }
    expect(out).toEqual([
      'S4 buffer error: flush failed (AWS_REQUEST_FAILED); it is retried on the next tick: [ECONNREFUSED] connect ECONNREFUSED 127.0.0.1:8000 (repeats: once a minute, with a count)',
      'S4 buffer warning: another flusher holds the lock; waiting for it (repeats: once a minute, with a count)',
    ]);
    logger.recovered('flushes go through');
    expect(out.slice(2)).toEqual([
      'S4 buffer: flushes go through again after 25 failed attempts since 16:00:00 UTC',
    ]);
  });

  it('the S4 buffer recovers at a flushed bucket, or at a seal when nothing was said since the last one', () => {
    const { out, logger } = setup('S4 buffer');
    const onStep = recoveryOnFlush(logger);
    const fail = () => logger.error('flush failed; it is retried on the next tick', { error: refused });
    // a DynamoDB outage: each tick seals (Redis answers), then its rows fail
    for (let i = 0; i < 5; i++) {
      onStep({ step: 'sealed', seal: i });
      fail();
    }
    expect(out).toHaveLength(1);
    onStep({ step: 'sealed', seal: 5 }); // the rows of this tick go through …
    onStep({ step: 'sealed', seal: 6 }); // … so the next seal says so
    expect(out.slice(1)).toEqual([
      'S4 buffer: flushes go through again after 5 failed attempts since 16:00:00 UTC',
    ]);
    fail();
    onStep({ step: 'bucket-done', bucket: 7, buckets: 1 });
    expect(out.slice(2)).toHaveLength(2);
    expect(out[3]).toMatch(/^S4 buffer: flushes go through again after 1 failed attempt since/);
  });

  it('says nothing once muted', () => {
    const { out, logger } = setup();
    logger.warn('GetRecords failed; retrying', { error: refused });
    logger.mute();
    logger.warn('GetRecords failed; retrying', { error: refused });
    logger.recovered('reads and writes go through');
    expect(out).toHaveLength(1);
  });
});
