// The dry run of a batch too wide for one write per row (`Applier.plan`, `dynotally plan --dry-run`) shows what
// `Applier.apply` sends: the batch cut into the same parts, one after the other, each request within DynamoDB's
// limits on one write, and the parts together carrying exactly the deltas of the whole batch. Pure: plan() sends
// nothing (the client is never used).
import { DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier, type ApplierOptions } from '../../packages/dynotally/src/apply/index.ts';
import {
  finishedStateAttrs,
  rowStateFor,
  rowWatermarkFor,
  shardStateAttrs,
} from '../../packages/dynotally/src/apply/shard-state.ts';
import { orderBatch } from '../../packages/dynotally/src/decode/index.ts';
import { foldBatch } from '../../packages/dynotally/src/fold/index.ts';
import { WRITE_LIMITS } from '../../packages/dynotally/src/layout/dynamo-limits.ts';
import { MAX_ADDS_PER_WRITE } from '../../packages/dynotally/src/layout/write-limits.ts';
import {
  planWrites,
  rowInsertStatement,
  rowUpdateParams,
  rowUpdateStatement,
} from '../../packages/dynotally/src/plan/index.ts';
import { expectedCounters, hourOfRecords, NOW, wideRollup } from './wide-batch.ts';

const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
afterAll(() => client.destroy());

const TABLE = 'aggregates';
const SHARD = 'shardId-00000001700000000000-wide';
/** The most finished shards a write removes: the longest requests a row write makes. */
const FINISHED = Array.from({ length: 16 }, (_, i) => `shardId-00000001600000000000-${i}`);

const applier = (options: Partial<ApplierOptions> = {}) =>
  new Applier({ client, table: TABLE, rollups: [wideRollup], now: () => NOW, ...options });

/** The hour of records, one of them poison (a sum over a string) at position 170 of the batch. */
function batch(): { records: DynamoDBRecord[]; poisonAt: number } {
  const records = hourOfRecords();
  const poisonAt = 170;
  const img = records[poisonAt]?.dynamodb?.NewImage as Record<string, unknown>;
  img.v = { S: 'not a number' };
  return { records, poisonAt };
}

/** Operators and functions of an expression, counted generously (every comparison, `+`/`-`, AND/OR/NOT, call). */
function operators(expression: string | undefined): number {
  return (
    (expression ?? '').match(/<>|<=|>=|[=<>+-]|\bAND\b|\bOR\b|\bNOT\b|\bBETWEEN\b|\bIN\b|\w+\(/g)?.length ?? 0
  );
}

/** Every counter a request adds, by row key and attribute. */
function addsOf(requests: readonly UpdateItemCommandInput[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of requests) {
    const key = String(r.Key?.pk?.S);
    const row = out[key] ?? {};
    out[key] = row;
    for (const [placeholder, attr] of Object.entries(r.ExpressionAttributeNames ?? {})) {
      const i = /^#a(\d+)$/.exec(placeholder)?.[1];
      if (i === undefined) continue;
      const v = Number(r.ExpressionAttributeValues?.[`:v${i}`]?.N);
      row[attr] = (row[attr] ?? 0) + v;
    }
  }
  return out;
}

describe('the plan of a batch with rows wider than one write', () => {
  it.each<[string, Partial<ApplierOptions>, readonly string[] | undefined]>([
    ['exactly-once, removing 16 finished shards', {}, FINISHED],
    ['at-least-once', { mode: 'at-least-once' }, undefined],
  ])('is the parts apply sends, each request within the limits (%s)', (_, options, finishedShards) => {
    const { records, poisonAt } = batch();
    const a = applier(options);
    const planned = a.plan({ records, shardId: SHARD, finishedShards });

    // cut as apply cuts it: contiguous parts in sequence order, covering the batch, more than one
    const ordered = orderBatch(records);
    expect(planned.parts.length).toBeGreaterThan(1);
    let next = 0;
    for (const part of planned.parts) {
      expect(part.firstRecord).toBe(next);
      next += part.records;
    }
    expect(next).toBe(ordered.length);
    expect(planned.requests).toEqual(planned.parts.flatMap((p) => p.requests));
    expect(planned.plan.rows).toEqual(planned.parts.flatMap((p) => p.plan.rows));
    expect(planned.poison.map((p) => [p.index, p.error.code])).toEqual([[poisonAt, 'VALUE_INVALID']]);

    // every request fits one write: on UpdateItem, and as the PartiQL statements of the default path (which
    // sends a statement past 8,192 characters through UpdateItem instead: none is)
    const state =
      options.mode === 'at-least-once'
        ? undefined
        : {
            ...shardStateAttrs(String(ordered[0]?.eventSourceARN), SHARD),
            drop: finishedStateAttrs(String(ordered[0]?.eventSourceARN), finishedShards),
          };
    for (const r of planned.requests) {
      expect(Buffer.byteLength(r.UpdateExpression ?? '')).toBeLessThanOrEqual(WRITE_LIMITS.expressionBytes);
      expect(Buffer.byteLength(r.ConditionExpression ?? '')).toBeLessThanOrEqual(
        WRITE_LIMITS.expressionBytes,
      );
      expect(operators(r.UpdateExpression) + operators(r.ConditionExpression)).toBeLessThanOrEqual(
        WRITE_LIMITS.expressionOperators,
      );
      const adds = Object.keys(r.ExpressionAttributeNames ?? {}).filter((n) => /^#a\d+$/.test(n));
      expect(adds.length).toBeLessThanOrEqual(MAX_ADDS_PER_WRITE);
      if (state !== undefined) expect(r.ConditionExpression).toBeDefined();
    }
    for (const w of planned.plan.rows) {
      const watermark =
        state === undefined ? undefined : rowWatermarkFor(state, w.firstSeq, w.lastSeq, w.lastApproxMs);
      const statements = [
        rowUpdateStatement(TABLE, w, { now: NOW, watermark, absent: 'all' }),
        rowInsertStatement(TABLE, w, {
          now: NOW,
          watermark: state === undefined ? undefined : rowStateFor(state, w.lastSeq, w.lastApproxMs),
        }),
      ];
      for (const s of statements)
        expect(s.Statement?.length ?? 0).toBeLessThanOrEqual(WRITE_LIMITS.statementChars);
    }

    // the parts together carry exactly the deltas of the unsplit batch, and of the records themselves
    const whole = planWrites(foldBatch([wideRollup.compiled], ordered).coalescer, { now: NOW });
    const unsplit = addsOf(whole.rows.map((w) => rowUpdateParams(TABLE, w, { now: NOW })));
    const sums = addsOf(planned.requests);
    expect(sums).toEqual(unsplit);
    expect(sums).toEqual(expectedCounters(ordered.filter((_, i) => i !== poisonAt)));
    // … which would not have fitted one write a row: the case the parts are for
    expect(whole.rows.some((w) => w.adds.length > MAX_ADDS_PER_WRITE)).toBe(true);
  });

  it('is one part, as before, when every row fits one write', () => {
    const records = hourOfRecords().slice(0, 12);
    const planned = applier().plan({ records, shardId: SHARD });
    expect(planned.parts).toHaveLength(1);
    expect(planned.parts[0]).toMatchObject({ firstRecord: 0, records: 12 });
    expect(planned.requests).toEqual(planned.parts[0]?.requests);
    const state = shardStateAttrs(String(records[0]?.eventSourceARN), SHARD);
    const whole = planWrites(foldBatch([wideRollup.compiled], records).coalescer, { now: NOW });
    expect(planned.plan).toEqual(whole);
    expect(planned.requests).toEqual(
      whole.rows.map((w) =>
        rowUpdateParams(TABLE, w, {
          now: NOW,
          watermark: rowWatermarkFor(state, w.firstSeq, w.lastSeq, w.lastApproxMs),
        }),
      ),
    );
  });
});
