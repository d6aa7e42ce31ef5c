// Review s35z (the Redis watermark and a record the buffered applier's direct fallback refused). The buffered
// applier's RECORD_TOO_OLD letter lists no pending row when the Redis watermark is at or past the record
// (`lateBufferedPoison`), so the watermark must not pass a refused record before its letter is stored. It does not
// while the delivery that refused it is unfinished (its fence is open: no rejoin), but the direct fallback completes
// the fence before the batch's letters are sent (`applyDirect`, then `deadLetter.send` in `applyPart`): a sink that
// fails then fails the batch with the fence complete, and the redelivery, Redis back, rejoins the shard (the
// watermark moves to the fence's end, past the record) and finds the record at or below it: skipped, no letter.
// Scenario: a (1e20) and b (1e-19: refused on `amounts` for 38 digits, counted on `kinds`) direct while Redis is down;
// b's take-backs complete (b left out of every row), its letter's send fails; b redelivered with Redis up.
// Observed: no letter for b at all, on time (first test) and, for a take-back an earlier delivery cut short and a
// settle (24 h 30 min - 24 h 40 min) whose letter send failed, late (second test): b is missing from every row for
// good and nothing says so.
// Expected: a NUMBER_UNREPRESENTABLE letter whose replay counts b once on every row (the oracle below).
// Fixed: the fence's `done` moves only once the batch's letters are sent (`completeDirect`), so the redelivery goes
// direct again and the inner Applier refuses b again from its exclusion (seen failing as `it` before the fix).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { flakyClient } from '../redis/fail-fast-redis.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const env = useBufferEnv();
const opened: Array<{ destroy(): void }> = [];
afterAll(() => {
  for (const c of opened) c.destroy();
});

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Input = { ExpressionAttributeNames?: Record<string, string> };
/** A client whose next take-back (an UpdateItem setting an `x_…` marker) fails like a crash, once armed. */
function crashingOnTakeBack(): { client: DynamoDBClient; arm: () => void } {
  const c = testClients();
  opened.push(c);
  let armed = false;
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const names = Object.values((args.input as Input).ExpressionAttributeNames ?? {});
      if (armed && context.commandName === 'UpdateItemCommand' && names.some((n) => /^x_/.test(n))) {
        armed = false;
        throw Object.assign(new Error('injected crash'), { name: 'InjectedCrash' });
      }
      return next(args);
    },
    { step: 'initialize', name: 's35zLostCrash', priority: 'high' },
  );
  return { client: c.ddb, arm: () => (armed = true) };
}

/** A sink that stores nothing and fails while `failing`, else the DynamoDB sink. */
function flakySink(sink: DeadLetterSink): DeadLetterSink & { failing: boolean } {
  return {
    failing: false,
    async send(letters, options) {
      if (this.failing) throw new Error('injected: the dead-letter sink is down');
      await sink.send(letters, options);
    },
  };
}

/**
 * a, then b refused (its take-back cut short first when `cut`) with Redis down, the delivery that finishes b's
 * take-backs at `finishAt` (Redis down) failing to send the letter, then b redelivered at `againAt` with Redis up;
 * then c (-1e20, on time) direct to fix the cause and every letter replayed.
 */
async function scenario(o: {
  cut: boolean;
  refuseAt: number;
  finishAt: number;
  againAt: number;
  /** The handler sends the letters the buffered applier returns (it has no sink of its own). */
  handlerSends?: boolean;
}) {
  const { table, clock, common } = await env.fixture('s35zlost', [amounts, kinds], T + HOUR);
  const dlq = uniqueTableName('s35zlost-dlq');
  await createDeadLetterTable(env.ddb, dlq);
  const crash = crashingOnTakeBack();
  const flaky = await flakyClient(env.server.url);
  const sink = flakySink(new DynamoDbDeadLetterSink(env.ddb, dlq));
  const applier = createBufferedApplier({
    ...common,
    redis: flaky.client,
    client: crash.client,
    onRedisDown: 'direct',
    write: { api: 'update-item' },
    retry: { maxAttempts: 1 },
    ...(o.handlerSends === true ? {} : { deadLetter: sink }),
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const handler =
    o.handlerSends === true
      ? streamHandlerIn({ applier, deadLetter: sink, logger: quiet }, {}, 'throw')
      : undefined;
  try {
    const next = insertRecords();
    const insert = (id: string, amount: string): DynamoDBRecord =>
      next(id, { g: { S: 'big' }, kind: { S: 'k' }, amount: { N: amount } });
    // the buffer's mode of the batch (unknown through the handler, which returns none)
    const run = async (records: DynamoDBRecord[]): Promise<string | undefined> => {
      if (handler === undefined) return (await applier.apply({ records, shardId: 'shard-1' })).buffer.mode;
      await handler({ Records: records, shardId: 'shard-1' });
      return undefined;
    };
    const direct = (mode: string | undefined) => {
      if (mode !== undefined) expect(mode).toBe('direct');
    };

    flaky.down();
    direct(await run([insert('a', '1e20')]));
    const b = insert('b', '1e-19');
    clock.set(o.refuseAt);
    if (o.cut) {
      crash.arm();
      await expect(run([b])).rejects.toThrow(/injected crash/);
      clock.set(o.finishAt);
    }
    sink.failing = true;
    await expect(run([b])).rejects.toThrow(/sink is down/);
    sink.failing = false;
    // b is left out of every row now; its letter was not stored
    await flaky.up();
    clock.set(o.againAt);
    await run([b]);
    const codes = (await listDeadLetters({ client: env.ddb, table: dlq })).map((l) => l.code);

    flaky.down();
    const c = insert('c', '-1e20');
    const fixed = { ...c, dynamodb: { ...c.dynamodb, ApproximateCreationDateTime: T / 1000 + 24 * 3600 } };
    direct(await run([fixed]));
    await replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table,
      rollups: [amounts, kinds],
      all: true,
      replayLate: true,
      now: clock.now,
    });
    const items = await scanTable(env.ddb, table);
    const at = (pk: string) => items.find((i) => i.pk?.S === pk);
    return {
      codes,
      rows: {
        amountsN: at('amounts#sbig')?.n?.N,
        amountsTotal: Number(at('amounts#sbig')?.total?.N),
        kinds: at('kinds#sk')?.n?.N,
      },
    };
  } finally {
    flaky.client.disconnect();
  }
}

/** a, b and c each counted once. */
const ORACLE = { amountsN: '3', amountsTotal: 1e-19, kinds: '3' };

describe('review s35z: a record the direct fallback refused, its letter unsent, redelivered after Redis is back', () => {
  it('on time: it is dead-lettered again, and its replay counts it once', async () => {
    expect(
      await scenario({ cut: false, refuseAt: T + 2 * HOUR, finishAt: T + 2 * HOUR, againAt: T + 3 * HOUR }),
    ).toEqual({ codes: ['NUMBER_UNREPRESENTABLE'], rows: ORACLE });
  });

  it('taken back in part, settled late with the letter unsent: dead-lettered again, its replay counts it once', async () => {
    expect(
      await scenario({
        cut: true,
        refuseAt: T + 24 * HOUR + 20 * MINUTE,
        finishAt: T + 24 * HOUR + 33 * MINUTE,
        againAt: T + 24 * HOUR + 36 * MINUTE,
      }),
    ).toEqual({ codes: ['NUMBER_UNREPRESENTABLE'], rows: ORACLE });
  });

  it('the handler sends the letters the buffered applier returns, and the send fails: dead-lettered again, replayed once', async () => {
    expect(
      await scenario({
        cut: false,
        refuseAt: T + 2 * HOUR,
        finishAt: T + 2 * HOUR,
        againAt: T + 3 * HOUR,
        handlerSends: true,
      }),
    ).toEqual({ codes: ['NUMBER_UNREPRESENTABLE'], rows: ORACLE });
  });
});
