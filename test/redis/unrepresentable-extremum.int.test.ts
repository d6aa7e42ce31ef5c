// A record the Redis buffer leaves out for 38 digits (NUMBER_UNREPRESENTABLE: its amount cannot be added to a cell's
// sum) must leave no trace, in its min / max / last cells too. The buffered applier wrote the batch's extrema straight
// to DynamoDB before its write script, from the plan of every folded record, so the refused record's value reached
// `max` cells of rows that held no count of it (found by test/redis/hostile-items.property.int.test.ts). A max
// cannot be taken back: the extrema are now written after the script, without the records it left out, and a
// redelivery rewrites those of the records whose fate Redis still knows (`pf`, `px`).
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { BUFFER_OWNER_KEY, createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { peaks, sums } from '../support/sum-and-peak-rollups.ts';
import { scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const peakOf = async (table: string) =>
  (await scanItems(env.ddb, table)).find((row) => row.pk?.S === 'peaks#sk')?.top?.N;

describe('a record the buffer leaves out for 38 digits, and its extrema', () => {
  it('leaves no trace in a max cell of another rollup, also when its batch is redelivered', async () => {
    const { table, common } = await env.fixture('rb-unrep-max', [sums, peaks], START);
    const applier = createBufferedApplier(common);
    const insert = streamInserts({ from: 1000 });
    const first = [insert({ g: { S: 'big' }, kind: { S: 'k' }, amount: { N: '-1e20' } }, START)];
    await applier.apply({ records: first, shardId: 's-1' });
    const refused = insert({ g: { S: 'big' }, kind: { S: 'k' }, amount: { N: '1e-19' } }, START);
    const kept = insert({ g: { S: 'small' }, kind: { S: 'k' }, amount: { N: '-5' } }, START);
    const { poison } = await applier.apply({ records: [refused, kept], shardId: 's-1' });
    expect(poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    expect(await peakOf(table)).toBe('-5'); // not 1e-19
    // redelivered: the batch itself (its refusal known in Redis), then the whole shard from its start
    const again = await applier.apply({ records: [refused, kept], shardId: 's-1' });
    expect(again.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    await applier.apply({ records: [...first, refused, kept], shardId: 's-1' });
    expect(await peakOf(table)).toBe('-5');
    // a later batch moves `px` past the refused record: a redelivery from the shard's start must not write it either
    const later = [insert({ g: { S: 'small' }, kind: { S: 'k' }, amount: { N: '-7' } }, START)];
    await applier.apply({ records: later, shardId: 's-1' });
    await applier.apply({ records: [...first, refused, kept, ...later], shardId: 's-1' });
    expect(await peakOf(table)).toBe('-5');
  });

  it('writes the extrema of a batch whose extremum write failed after the script, when it is redelivered', async () => {
    const { table, common } = await env.fixture('rb-max-retry', [sums, peaks], START);
    let fail = true;
    const client = new Proxy(env.ddb, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          // the extremum's write, not the applier's claim of the table's buffer (buffer-owner.ts)
          if (
            fail &&
            command instanceof UpdateItemCommand &&
            command.input.Key?.pk?.S !== BUFFER_OWNER_KEY.pk?.S
          ) {
            fail = false;
            throw Object.assign(new Error('denied once'), { name: 'AccessDeniedException' });
          }
          return target.send(command as UpdateItemCommand);
        };
      },
    });
    const applier = createBufferedApplier({ ...common, client });
    const insert = streamInserts({ from: 2000 });
    const batch = [insert({ g: { S: 'a' }, kind: { S: 'k' }, amount: { N: '7' } }, START)];
    await expect(applier.apply({ records: batch, shardId: 's-1' })).rejects.toThrow();
    const again = await applier.apply({ records: batch, shardId: 's-1' });
    expect(again.buffer.mode).toBe('skipped'); // the counts were buffered by the failed call
    expect(await peakOf(table)).toBe('7');
  });
});
