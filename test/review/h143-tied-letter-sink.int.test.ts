// Review h143 (probe of d283bc5): the DynamoDB sink's transaction of a part's letter with its tie, at the cases the
// flusher's tieRefusal must read right: the letter already stored while the row is untied (the letter's own condition
// fails, the tie's does not), and the transaction sent again after its reply was lost (both conditions fail).
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { refusalAt } from '../../packages/dynotally/src/redis/refused-marker.ts';
import { tieRefusal, tieWrite } from '../../packages/dynotally/src/redis/tied-letter.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const rollup = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const letter = {
  source: 'redis-flush:test',
  shardId: 'bucket',
  sequenceNumber: '1',
  eventId: undefined,
  code: 'ROW_REJECTED',
  reason: 'test',
  record: undefined,
  at: START,
  deltas: [{ pk: 'money#sg', sk: 'ALL', adds: [['n', '1']] as const }],
};

async function setup(prefix: string, row: Record<string, string>) {
  const { table } = await env.fixture(prefix, [rollup], START);
  const dlq = uniqueTableName(`${prefix}-dl`);
  await createDeadLetterTable(env.ddb, dlq);
  const item = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, { S: v }]));
  await env.ddb.send(new PutItemCommand({ TableName: table, Item: item }));
  const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
  const send = () =>
    sink.send([letter], { alongside: tieWrite(table, 'money#sg', 'ALL', '002') }).then(
      () => undefined,
      (e: unknown) => e,
    );
  const rowNow = async () =>
    (
      await env.ddb.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'money#sg' }, sk: { S: 'ALL' } } }),
      )
    ).Item;
  const letters = async () => (await listDeadLetters({ client: env.ddb, table: dlq })).length;
  return { sink, send, rowNow, letters };
}

describe('h143: the tie and its letter, read back', () => {
  it('the letter already stored, the row untied: the tie is stored (apart), one letter', async () => {
    const s = await setup('h143-tl-a', { pk: 'money#sg', sk: 'ALL', _fb: '001' });
    await s.sink.send([letter]);
    expect(await s.send()).toBeUndefined();
    expect(await s.letters()).toBe(1);
    expect(refusalAt((await s.rowNow()) as never, '002')).toBe('with-letter');
  });

  it('sent again after the commit (a lost reply): read as tied with its letter', async () => {
    const s = await setup('h143-tl-b', { pk: 'money#sg', sk: 'ALL', _fb: '001' });
    expect(await s.send()).toBeUndefined();
    const again = await s.send();
    const refusal = tieRefusal(again);
    expect(refusal?.kind).toBe('condition');
    expect(refusalAt(refusal?.kind === 'condition' ? refusal.item : undefined, '002')).toBe('with-letter');
    expect(await s.letters()).toBe(1);
  });
});
