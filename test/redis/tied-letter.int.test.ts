// The tie of a refused part committed with its letter (tied-letter.ts), against DynamoDB Local: a failed tie stores
// no letter and hands back the row as it was, which the flusher reads to tell a row another flusher wrote from one
// another run tied.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { refusalAt } from '../../packages/dynotally/src/redis/refused-marker.ts';
import { tieRefusal, tieWrite } from '../../packages/dynotally/src/redis/tied-letter.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { useBufferEnv } from './use-buffer-env.ts';

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

async function attempt(row: Record<string, string> | undefined) {
  const { table } = await env.fixture('tied-letter', [rollup], START);
  const dlq = uniqueTableName('tied-letter-dl');
  await createDeadLetterTable(env.ddb, dlq);
  if (row !== undefined) {
    const item = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, { S: v }]));
    await env.ddb.send(new PutItemCommand({ TableName: table, Item: item }));
  }
  const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
  let error: unknown;
  await sink.send([letter], { alongside: tieWrite(table, 'money#sg', 'ALL', '002') }).catch((e) => {
    error = e;
  });
  const letters = await listDeadLetters({ client: env.ddb, table: dlq });
  return { refusal: error === undefined ? undefined : tieRefusal(error), letters: letters.length };
}

describe('a refused part tied in its letter’s transaction', () => {
  it('ties a row below the marker and stores the letter', async () => {
    expect(await attempt({ pk: 'money#sg', sk: 'ALL', _fb: '001' })).toEqual({
      refusal: undefined,
      letters: 1,
    });
  });

  it('a row another flusher wrote past the marker: no letter, the row as it was', async () => {
    const out = await attempt({ pk: 'money#sg', sk: 'ALL', _fb: '002' });
    expect(out.letters).toBe(0);
    expect(out.refusal?.kind).toBe('condition');
    const item = out.refusal?.kind === 'condition' ? out.refusal.item : undefined;
    expect(item?._fb?.S).toBe('002');
    expect(refusalAt(item, '002')).toBeUndefined();
  });

  it('a row another run tied with its letter: no second letter, read as tied with its letter', async () => {
    const out = await attempt({ pk: 'money#sg', sk: 'ALL', _fb: '002', _fr: '002+letter' });
    expect(out.letters).toBe(0);
    const item = out.refusal?.kind === 'condition' ? out.refusal.item : undefined;
    expect(refusalAt(item, '002')).toBe('with-letter');
  });

  it('no row: no letter, no item (the flusher sends the letter untied)', async () => {
    expect(await attempt(undefined)).toEqual({ refusal: { kind: 'condition', item: undefined }, letters: 0 });
  });
});
