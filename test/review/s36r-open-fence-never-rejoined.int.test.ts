// Review s36r (the Redis buffer's direct fallback, a refused record whose letter the handler sends). Since dcd442fa
// the buffered applier leaves its direct-write fence open (`done` < `to`) when it returns refused records for the
// caller to send (no `deadLetter` of its own: `createStreamHandler` sends them), and counts on "the next batch
// written direct" to complete it. The last batch of a shard has no next batch (DynamoDB Streams close a shard every
// few hours), and the flusher's rejoin (`rejoinFences` → `rejoinShard`) passes a fence over while `done` < `to`: the
// fence stays open for good, and the shard never rejoins the buffer. A rejoin is what undoes a batch Redis took
// although its caller saw a failure (an in-doubt write, then written direct too: the journal's `reverted`), so that
// batch stays counted twice once the flusher writes Redis's copy.
// Scenario: a warm-up batch buffered; then [a (1e20), b (1e-19: past 38 digits on `amounts`)] as the shard's last
// batch, Redis takes a (b left out, `px`) but the script's reply is lost, so the batch goes direct: a is written, b
// refused; the handler sends b's letter; then the flusher flushes everything.
// Expected (as with the applier's own sink, the control case below): the rejoin reverts Redis's copy of a, every
// row counts a once, b is dead-lettered, no fence is left. Observed with the handler's sink: the fence stays open,
// a is counted twice on `amounts` and `kinds`.
// Fixed: the handler gives its sink with the batch (`ApplyInput.deadLetter`), so the buffered applier sends the
// letters and completes the fence itself; without a sink anywhere (the handler logs them) it returns `lettersSent`,
// which the handler calls once it has logged them, and which completes the fence.
// Severity: medium (a silent double count; needs an in-doubt Redis write in the last direct batch of a shard that
// also holds a record the store refuses, with the documented createStreamHandler-sends set-up).
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  listDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import {
  createBufferedApplier,
  createFlusher,
  listFences,
} from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { lossyReplies } from '../redis/lossy-replies.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const env = useBufferEnv();
const opened: Array<{ disconnect(): void }> = [];
afterAll(() => {
  for (const c of opened) c.disconnect();
});

const T = 1_763_800_000_000; // the records' stream time (insertRecords)
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Who sends the letters: the applier's own sink, the handler's, or nobody (the handler logs them: `lettersSent`). */
type Letters = 'applier' | 'handler' | 'logged';

async function scenario(letters: Letters) {
  const { table, clock, common } = await env.fixture('s36rfence', [amounts, kinds], T + HOUR);
  const dlq = uniqueTableName('s36rfence-dlq');
  await createDeadLetterTable(env.ddb, dlq);
  const sink: DeadLetterSink = new DynamoDbDeadLetterSink(env.ddb, dlq);
  const lossy = lossyReplies(env.redis);
  const applier = createBufferedApplier({
    ...common,
    redis: lossy.client,
    onRedisDown: 'direct',
    write: { api: 'update-item' },
    ...(letters === 'applier' ? { deadLetter: sink } : {}),
  });
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const handler = streamHandlerIn(
    letters === 'handler' ? { applier, deadLetter: sink, logger: quiet } : { applier, logger: quiet },
    {},
    'throw',
  );
  const next = insertRecords();
  const insert = (id: string, g: string, kind: string, amount: string): DynamoDBRecord =>
    next(id, { g: { S: g }, kind: { S: kind }, amount: { N: amount } });
  const run = (records: DynamoDBRecord[]) => handler({ Records: records, shardId: 'shard-1' });

  await run([insert('w', 'other', 'other', '1')]); // buffered: the table's buffer claimed, the watermark known
  clock.advance(MINUTE);
  lossy.loseNext();
  await run([insert('a', 'big', 'k', '1e20'), insert('b', 'big', 'k', '1e-19')]); // the shard's last batch
  const fencesAfterBatch = (await listFences(env.ddb, table)).length;

  clock.advance(5 * MINUTE);
  await createFlusher({ ...common, redis: env.redis, graceMs: 0, keepFlushedMs: 0 }).flushClosed({
    all: true,
  });
  const items = await scanTable(env.ddb, table);
  const at = (pk: string) => items.find((i) => i.pk?.S === pk);
  return {
    fencesAfterBatch,
    fencesLeft: (await listFences(env.ddb, table)).length,
    codes: (await listDeadLetters({ client: env.ddb, table: dlq })).map((l) => l.code),
    rows: {
      amountsN: at('amounts#sbig')?.n?.N,
      amountsTotal: at('amounts#sbig')?.total?.N,
      kinds: at('kinds#sk')?.n?.N,
    },
  };
}

/** a counted once on each row, b dead-lettered, the shard rejoined (its fence gone). */
const EXPECTED = {
  fencesLeft: 0,
  codes: ['NUMBER_UNREPRESENTABLE'],
  rows: { amountsN: '1', amountsTotal: '100000000000000000000', kinds: '1' },
};

describe('review s36r: the last direct batch of a shard with a refused record the handler dead-letters', () => {
  it('control: with the applier’s own sink the fence completes, the flusher rejoins and reverts the in-doubt write', async () => {
    const out = await scenario('applier');
    expect(out.fencesAfterBatch).toBe(1); // the batch went direct
    expect(out).toMatchObject(EXPECTED);
  });

  it("with the handler's sink, given with the batch, the applier sends the letters and completes the fence: the in-doubt write is reverted, a counted once", async () => {
    const out = await scenario('handler');
    expect(out.fencesAfterBatch).toBe(1);
    expect(out).toMatchObject(EXPECTED);
  });
  it('with no sink anywhere, the handler logs the refused record and calls lettersSent: the fence completes, a counted once', async () => {
    const out = await scenario('logged');
    expect(out.fencesAfterBatch).toBe(1);
    expect(out).toMatchObject({ ...EXPECTED, codes: [] });
  });
});
