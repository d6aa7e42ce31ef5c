// Sums past DynamoDB's 38 significant digits in the Redis buffer (review s19, beyond the review's three cases):
// a record left out leaves no trace in any of its rows, also rows in wider buckets; a redelivery after a failed
// dead-letter send reports the record again; a hint of a wide stored value goes when the value is narrow again;
// and a cell that still cannot be written (put in Redis by anything else) is dead-lettered without blocking a flush.
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { bucketId, bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { MINUTE, scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const amounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), total: sum('amount') },
});

const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const insert = streamInserts({ from: 5000, idPrefix: 'i' });
const rec = (g: string, amount: string, t = START) => insert({ g: { S: g }, amount: { N: amount } }, t);

/** `<group> <kind of sk>` → `n/total` of every row in DynamoDB (a list when several rows are of one kind). */
const rows = async (table: string) => {
  const out: Record<string, string | string[]> = {};
  for (const item of await scanItems(env.ddb, table)) {
    const pk = item.pk?.S ?? '';
    if (!pk.startsWith('amounts#')) continue;
    const n = Object.entries(item).find(([k]) => k === 'n' || k.startsWith('n_'))?.[1]?.N;
    const total = Object.entries(item).find(([k]) => k === 'total' || k.startsWith('total_'))?.[1]?.N;
    const key = `${pk.replace(/^amounts#s/, '')} ${item.sk?.S?.[0]}`;
    const prev = out[key];
    out[key] = prev === undefined ? `${n}/${total}` : [prev, `${n}/${total}`].flat().sort();
  }
  return out;
};

describe('Redis buffer: sums past 38 digits', () => {
  it('a record left out leaves no trace in any of its rows, also in a wider bucket', async () => {
    const { table, clock, common } = await env.fixture('digrow', [amounts], START);
    // the all-time row flushes hourly, the day row every minute: the record's rows are in two buckets
    const options = { ...common, rowBucketMs: { all: 60 * MINUTE } };
    // the records are stamped more than 24 h 30 min before the test's clock: counted, not dead-lettered as late
    const applier = createBufferedApplier({ ...options, lateRecords: 'apply' });
    const flusher = createFlusher(common);
    await applier.apply({ records: [rec('a', '1e20', START - 60 * 24 * 60 * MINUTE)], shardId: 's-1' }); // September
    await flusher.flushClosed({ all: true });
    clock.advance(2 * MINUTE);
    // 1e-19 fits November's row (empty), not the all-time row (1e20): it is left out of both
    const r = await applier.apply({ records: [rec('a', '1e-19'), rec('a', '7')], shardId: 's-1' });
    expect(r.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    await flusher.flushClosed({ all: true });
    expect(await rows(table)).toEqual({
      'a M': ['1/100000000000000000000', '1/7'],
      'a A': '2/100000000000000000007',
    });
  });

  it('a redelivery after the dead-letter sink failed reports the left-out record again, and counts nothing twice', async () => {
    const { table, common } = await env.fixture('digredo', [amounts], START);
    let fail = true;
    const letters: DeadLetter[] = [];
    const applier = createBufferedApplier({
      ...common,
      deadLetter: {
        send: async (l) => {
          if (fail) throw new Error('dead-letter table unreachable');
          letters.push(...l);
        },
      },
    });
    const flusher = createFlusher(common);
    const batch = [rec('b', '1e20'), rec('b', '1e-19'), rec('b', '2')];
    await expect(applier.apply({ records: batch, shardId: 's-1' })).rejects.toThrow(/unreachable/);
    fail = false;
    const again = await applier.apply({ records: batch, shardId: 's-1' });
    expect(again.buffer.mode).toBe('skipped');
    expect(again.poison.map((p) => [p.error.code, p.sequenceNumber?.replace(/^0+/, '')])).toEqual([
      ['NUMBER_UNREPRESENTABLE', batch[1]?.dynamodb?.SequenceNumber],
    ]);
    expect(letters.map((l) => l.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    await flusher.flushClosed({ all: true });
    expect((await rows(table))['b A']).toBe('2/100000000000000000002');
  });

  it('a hint of a wide stored value goes once the value is narrow again', async () => {
    const { table, clock, common } = await env.fixture('dighint', [amounts], START);
    const applier = createBufferedApplier(common);
    const flusher = createFlusher(common);
    await applier.apply({ records: [rec('c', '1e20')], shardId: 's-1' });
    await flusher.flushClosed({ all: true });
    clock.advance(2 * MINUTE);
    await applier.apply({ records: [rec('c', '-1e20')], shardId: 's-1' });
    await flusher.flushClosed({ all: true });
    clock.advance(2 * MINUTE);
    const r = await applier.apply({ records: [rec('c', '1e-19')], shardId: 's-1' });
    expect(r.poison).toEqual([]);
    await flusher.flushClosed({ all: true });
    expect((await rows(table))['c A']).toBe('3/0.0000000000000000001');
  });

  it('a cell that cannot be written is dead-lettered; the rest of its bucket and later buckets flush', async () => {
    const { table, keyPrefix, clock, common } = await env.fixture('digflush', [amounts], START);
    const applier = createBufferedApplier(common);
    const letters: DeadLetter[] = [];
    const flusher = createFlusher({ ...common, deadLetter: { send: async (l) => void letters.push(...l) } });
    await applier.apply({ records: [rec('d', '1'), rec('e', '2')], shardId: 's-1' });
    // something else (an older version, a hand edit, a rejoin's revert into a busy bucket) left 40 digits there
    const keys = bufferKeys(keyPrefix);
    const bucket = bucketId(clock.now(), MINUTE);
    await env.redis.hset(
      keys.data(bucket, 'amounts#sd'),
      'ALL|total',
      '100000000000000000000.0000000000000000001',
    );
    clock.advance(2 * MINUTE);
    await applier.apply({ records: [rec('e', '3')], shardId: 's-1' }); // a later bucket
    clock.advance(2 * MINUTE);
    const report = await flusher.flushClosed();
    expect({ buckets: report.buckets, deadLettered: report.rowsDeadLettered }).toEqual({
      buckets: 2,
      deadLettered: 1,
    });
    expect(letters.map((l) => [l.code, l.deltas?.[0]?.adds.map(([a, v]) => `${a}=${v}`).join(' ')])).toEqual([
      ['ROW_REJECTED', 'n=1 total=100000000000000000000.0000000000000000001'],
    ]);
    const t = await rows(table);
    expect({ d: t['d A'], dDay: t['d M'], e: t['e A'] }).toEqual({ d: undefined, dDay: '1/1', e: '2/5' });
  });
});
