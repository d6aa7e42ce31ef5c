// Review h136: the Redis buffer's write script takes a cell with no stored-value hint (`h:<pk>`) for a narrow stored
// value. A hint can be lost while DynamoDB still holds the wide value: it expires `keyTtlMs` (default 7 days) after
// the flush that wrote it (a group quiet for a week), or the flusher stops between a chunk's row writes and its
// `updateStoredHints` (a crash, or another row of the chunk failing with APPLY_FAILED), after which the re-run finds
// the rows applied and records no hint; and a row write whose reply is lost is retried into ConditionalCheckFailed,
// which records no hint either (flusher.ts `writeRow`). A narrow delta that cannot be added to the stored value (1e22 + 1e-16 is 39
// digits) is then buffered instead of refused as NUMBER_UNREPRESENTABLE, and the flush sends the whole row of the
// bucket to the dead letter (ROW_REJECTED, a letter DynamoDB refuses on every replay), while the same record's other
// rows were counted. All closed: the lost reply and the stopped flusher by the flusher recording hints from the failed
// condition's ALL_OLD item; the expiry by the applier reading the stored rows of a group whose hints are not known
// (`h:<pk>` field `*` gone with the expired key: docs/redis-buffer.md "A group's hints known", known-groups.ts; before
// that fix the expiry test ended with poison [], flushLetters ['ROW_REJECTED'], the December day row counted and the
// ALL row's n and total both left out). The control (hint kept) passes.
import { type DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { type BufferFixture, MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const MONTH_LATER = Date.UTC(2026, 11, 22, 12, 0, 0);

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), total: sum('amount') },
});

/** `<sk>|<attr>` → value of group g's rows. */
async function rows(table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const r = await env.ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'money#sg' } },
      ConsistentRead: true,
    }),
  );
  for (const item of r.Items ?? [])
    for (const a of ['n', 'total', 'n_22', 'total_22'])
      if (item[a]?.N !== undefined) out[`${item.sk?.S}|${a}`] = item[a]?.N as string;
  return out;
}

/** 1e22 flushed into g's rows by `flushFirst`, then 1e-16 a month later; what the applier and the flush do with it. */
async function run(f: BufferFixture, flushFirst: () => Promise<void>) {
  const insert = streamInserts({ from: 1000 });
  const applier = createBufferedApplier(f.common);
  await applier.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)], shardId: 's-1' });
  f.clock.advance(2 * MINUTE);
  await flushFirst();
  f.clock.advance(MINUTE);
  const applied = await applier.apply({
    records: [insert({ g: { S: 'g' }, amount: { N: '0.0000000000000001' } }, MONTH_LATER)],
    shardId: 's-1',
  });
  f.clock.advance(2 * MINUTE);
  const codes: string[] = [];
  await createFlusher({
    ...f.common,
    deadLetter: { send: async (l) => void codes.push(...l.map((x) => x.code)) },
  }).flushClosed();
  return { poison: applied.poison.map((p) => p.error.code), flushLetters: codes, rows: await rows(f.table) };
}

// the record refused whole at apply time, no trace in any row
const REFUSED = {
  poison: ['NUMBER_UNREPRESENTABLE'],
  flushLetters: [],
  rows: {
    'ALL|n': '1',
    'ALL|total': '10000000000000000000000',
    'M2026-11|n_22': '1',
    'M2026-11|total_22': '10000000000000000000000',
  },
};

describe('Redis buffer: a wide stored value whose hint is gone', () => {
  it('control: with the hint, the record that cannot be added is refused at apply time', async () => {
    const f = await env.fixture('h136-hint', [money], START);
    expect(await run(f, async () => void (await createFlusher(f.common).flushClosed()))).toEqual(REFUSED);
  });

  it('the hint expired (keyTtlMs after the last flush of the row): the record is still refused whole', async () => {
    const f = await env.fixture('h136-hint', [money], START);
    const result = await run(f, async () => {
      await createFlusher(f.common).flushClosed();
      const keys = bufferKeys(f.keyPrefix);
      // what the keys' TTL does to a row not flushed again within keyTtlMs
      await env.redis.del(keys.hints('money#sg'), keys.hintVersions('money#sg'));
    });
    // the group's hints are not known any more: the applier reads its rows (the stored 1e22) before buffering into it
    expect(result).toEqual(REFUSED);
  });

  it('the reply to the row write was lost (a timeout): the record is still refused whole', async () => {
    const f = await env.fixture('h136-hint', [money], START);
    // the write of the ALL row is done, its reply lost: withRetry sends it again, DynamoDB answers
    // ConditionalCheckFailed (the flush marker moved), which the flusher takes for "applied" and records no hint
    let lost = false;
    const send = f.common.client.send.bind(f.common.client) as (c: unknown) => Promise<unknown>;
    const client = new Proxy(f.common.client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          const out = await send(command);
          if (!lost && command instanceof UpdateItemCommand && command.input.Key?.sk?.S === 'ALL') {
            lost = true;
            throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
          }
          return out;
        };
      },
    }) as DynamoDBClient;
    const result = await run(f, async () => {
      const r = await createFlusher({ ...f.common, client }).flushClosed();
      expect({ lost, written: r.rowsWritten, applied: r.rowsAlreadyApplied }).toEqual({
        lost: true,
        written: 1,
        applied: 1,
      });
    });
    expect(result).toEqual(REFUSED);
  });

  it('the flusher stopped before recording the hints: the record is still refused whole', async () => {
    const f = await env.fixture('h136-hint', [money], START);
    const result = await run(f, async () => {
      const dying = createFlusher({
        ...f.common,
        onStep: (s) => {
          if (s.step === 'row-written' && s.written === 2) throw new Error('stopped');
        },
      });
      await expect(dying.flushClosed()).rejects.toThrow('stopped');
      // the re-run finds both rows applied (ConditionalCheckFailed) and records no hint
      await createFlusher(f.common).flushClosed();
    });
    expect(result).toEqual(REFUSED);
  });
});
